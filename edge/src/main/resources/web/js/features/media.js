import { $, el } from '../dom.js';

// Media (DESIGN 7.1, README "Media"): pick or drop a file, upload it to POST /v1/media with its
// progress shown, send it as `media: [media_id]`; thumbnails inline and the original a click away.
// Downloads need the Authorization header, which <img src> cannot send: they are fetched as blobs
// and shown through object URLs (the page's CSP allows img-src blob:).
let app = null;
const thumbs = new Map(); // media id -> Promise of an object URL (kept for the page's life: small)

function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/media?filename=' + encodeURIComponent(file.name || 'file'));
    xhr.setRequestHeader('Authorization', 'Bearer ' + app.me.token);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status === 201 && data && data.media_id) resolve(data);
      else reject(new Error((data && (data.message || data.code)) || 'upload failed (HTTP ' + xhr.status + ')'));
    };
    xhr.onerror = () => reject(new Error('cannot reach the server'));
    xhr.send(file);
  });
}

async function blobUrl(path) {
  for (let tries = 1; ; tries++) {
    const r = await fetch('/v1' + path, { headers: { Authorization: 'Bearer ' + app.me.token } });
    if (r.ok) return URL.createObjectURL(await r.blob());
    // a member may read it once the sink has stored the message's reference: it trails the message;
    // 429 and 503 (every download thread busy: a message of 32 images asks for 32 at once) pass too
    if (![404, 429, 503].includes(r.status) || tries >= 5) throw new Error('HTTP ' + r.status);
    await new Promise((done) => setTimeout(done, 300 * tries));
  }
}

function thumbnail(id) {
  if (!thumbs.has(id)) {
    const p = blobUrl('/media/' + encodeURIComponent(id) + '/thumbnail');
    p.catch(() => thumbs.delete(id)); // asked again at the next render
    thumbs.set(id, p);
  }
  return thumbs.get(id);
}

async function openOriginal(d) {
  try {
    const url = await blobUrl('/media/' + encodeURIComponent(d.media_id));
    const a = el('a', { href: url, target: '_blank', rel: 'noopener', download: d.content_type && d.content_type.startsWith('image/') ? false : (d.filename || 'file') });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) {
    $('chat-error').textContent = 'cannot open ' + (d.filename || 'the file') + ': ' + err.message;
  }
}

function attachments(m) {
  const list = (m.media || []).filter((d) => d && d.media_id);
  if (list.length === 0) return null;
  return el('div', { class: 'media' }, list.map((d) => {
    if (d.thumbnail && m.seq !== null) {
      const img = el('img', { class: 'thumb', alt: d.filename || 'image',
        width: d.thumbnail.width, height: d.thumbnail.height, dataset: { mediaId: d.media_id } });
      thumbnail(d.media_id).then((url) => { img.src = url; }, () => { img.alt = (d.filename || 'image') + ' (unavailable)'; });
      return el('button', { type: 'button', class: 'media-item', title: 'Open ' + (d.filename || 'image'),
        onclick: () => openOriginal(d) }, img);
    }
    return el('button', { type: 'button', class: 'media-item file', dataset: { mediaId: d.media_id },
      onclick: () => openOriginal(d) }, '📎 ' + (d.filename || 'file') + (d.size ? ' (' + size(d.size) + ')' : ''));
  }));
}

function size(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(0) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

async function sendFiles(files) {
  const conv = app.openConversation;
  if (!conv || files.length === 0) return;
  const progress = $('upload-progress');
  const uploaded = [];
  $('chat-error').textContent = '';
  try {
    for (const file of files) {
      progress.hidden = false;
      progress.value = 0;
      progress.title = file.name;
      uploaded.push(await upload(file, (f) => { progress.value = f; }));
    }
  } catch (err) {
    $('chat-error').textContent = 'upload failed: ' + err.message;
    return;
  } finally {
    progress.hidden = true;
  }
  if (app.openConversation !== conv) return;
  const input = $('composer-input');
  if (app.send(input.value.trim(), uploaded)) input.value = ''; // what is typed goes with it as the caption
}

export default {
  name: 'media',
  install(a) {
    app = a;
    const picker = el('input', { id: 'file-input', type: 'file', multiple: true, hidden: true });
    picker.addEventListener('change', () => { sendFiles([...picker.files]); picker.value = ''; });
    app.slots.composer.append(picker,
      el('button', { id: 'attach-button', type: 'button', class: 'secondary', 'aria-label': 'Attach a file',
        onclick: () => picker.click() }, '📎'),
      el('progress', { id: 'upload-progress', max: 1, value: 0, hidden: true }));
    const pane = $('chat-pane');
    pane.addEventListener('dragover', (e) => { e.preventDefault(); pane.classList.add('dropping'); });
    pane.addEventListener('dragleave', () => pane.classList.remove('dropping'));
    pane.addEventListener('drop', (e) => {
      e.preventDefault();
      pane.classList.remove('dropping');
      sendFiles([...e.dataTransfer.files]);
    });
    app.hooks.messageExtras.push(attachments);
  },
};

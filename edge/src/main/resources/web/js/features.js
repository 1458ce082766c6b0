// Capabilities that come and go with the server's API: media upload, search, edit and delete are
// built in parallel and are not on this edge yet, and the page must not offer what the server
// cannot do. Each one becomes a module in features/ that exports
//   { name, install(app) }
// where install() may add controls to app.slots.composer / app.slots.header, push a function
// (message, conversation) -> Element|null onto app.hooks.messageActions or app.hooks.messageExtras,
// and handle new server frames with app.hooks.frames[type] = (frame) => ...; then it is listed here:
//   import media from './features/media.js';   // POST /v1/media, GET /v1/media/{id}
//   import search from './features/search.js'; // GET /v1/conversations/{id}/search?q=
//   import edits from './features/edits.js';   // edit / delete frames of DESIGN 7.3
export const features = [];

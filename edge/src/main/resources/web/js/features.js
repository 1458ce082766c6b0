// Capabilities built on the server's optional APIs, each a module in features/ that exports
//   { name, install(app) }
// where install() may add controls to app.slots.composer / app.slots.header, push a function
// (message, conversation) -> Element|null onto app.hooks.messageActions or app.hooks.messageExtras,
// a function (li, message, conversation) onto app.hooks.messageDecorators (run last on each
// rendered message), and handle new server frames with app.hooks.frames[type] = (frame) => ....
import edits from './features/edits.js'; // edit / delete frames of DESIGN 7.3
import search from './features/search.js'; // GET /v1/search, /v1/conversations/{id}/search
import media from './features/media.js'; // POST /v1/media, GET /v1/media/{id}[/thumbnail]

export const features = [edits, search, media];

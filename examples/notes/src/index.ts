export { createNotesRouter, type NotesAppRouter, notesAppRouter } from './notes-router.js';
export { type NotesServer, type NotesServerOptions, startNotesServer } from './notes-server.js';
export { type Note, NotesStore } from './notes-store.js';

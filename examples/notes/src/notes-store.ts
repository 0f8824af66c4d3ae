export interface Note {
  id: number;
  ownerId: number;
  text: string;
  createdAt: string;
}

/** The example keeps notes in memory; a real app would give them a table of its own. */
export class NotesStore {
  private readonly notes = new Map<number, Note>();
  private nextId = 1;

  add(ownerId: number, text: string): Note {
    const note = { id: this.nextId++, ownerId, text, createdAt: new Date().toISOString() };
    this.notes.set(note.id, note);
    return note;
  }

  ownedBy(ownerId: number): Note[] {
    return [...this.notes.values()].filter((note) => note.ownerId === ownerId);
  }

  all(): Note[] {
    return [...this.notes.values()];
  }

  /** Removes a note only if `ownerId` owns it. */
  remove(ownerId: number, id: number): boolean {
    const note = this.notes.get(id);
    if (!note || note.ownerId !== ownerId) return false;
    return this.notes.delete(id);
  }
}

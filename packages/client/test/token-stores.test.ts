import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localStorageTokenStore, memoryTokenStore, type StorageLike } from '@gatehouse/client';
import { fileTokenStore } from '@gatehouse/client/file-store';
import { describe, expect, it } from 'vitest';

const TOKENS = { accessToken: 'access-1', refreshToken: 'refresh-1' };

/** A stand-in for window.localStorage. */
function testStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('memoryTokenStore', () => {
  it('starts empty or with the given tokens, and sets and clears', () => {
    const store = memoryTokenStore();
    expect(store.get()).toBeNull();
    store.set(TOKENS);
    expect(store.get()).toEqual(TOKENS);
    store.clear();
    expect(store.get()).toBeNull();
    expect(memoryTokenStore(TOKENS).get()).toEqual(TOKENS);
  });
});

describe('localStorageTokenStore', () => {
  it('keeps tokens under its key, visible to another store on the same storage (another tab)', () => {
    const storage = testStorage();
    const tab1 = localStorageTokenStore('auth', storage);
    const tab2 = localStorageTokenStore('auth', storage);
    tab1.set(TOKENS);
    expect(JSON.parse(storage.data.get('auth')!)).toEqual(TOKENS);
    expect(tab2.get()).toEqual(TOKENS);
    tab2.clear();
    expect(tab1.get()).toBeNull();
  });

  it('reads corrupt or foreign data as signed out', () => {
    const storage = testStorage();
    const store = localStorageTokenStore(undefined, storage);
    for (const junk of ['{not json', '42', 'null', '{"accessToken":7}', '{"refreshToken":"r"}']) {
      storage.setItem('gatehouse.tokens', junk);
      expect(store.get()).toBeNull();
    }
  });

  it('says so when there is no localStorage (as in Node)', () => {
    expect(() => localStorageTokenStore().get()).toThrow(/localStorage is not available/);
  });
});

describe('fileTokenStore', () => {
  const tempDir = () => mkdtempSync(join(tmpdir(), 'gatehouse-store-'));

  it('creates the folder (0700) and writes the file readable only by its owner (0600)', () => {
    const dir = join(tempDir(), 'nested', 'gatehouse');
    const path = join(dir, 'credentials.json');
    const store = fileTokenStore(path);
    expect(store.get()).toBeNull();
    store.set(TOKENS);
    expect(mode(path)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(TOKENS);
    expect(fileTokenStore(path).get()).toEqual(TOKENS);
  });

  it('tightens an existing world-readable file to 0600 when it writes', () => {
    const path = join(tempDir(), 'credentials.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o644);
    fileTokenStore(path).set(TOKENS);
    expect(mode(path)).toBe(0o600);
  });

  it('reads a missing or corrupt file as signed out, and clear() removes the file', () => {
    const path = join(tempDir(), 'credentials.json');
    const store = fileTokenStore(path);
    store.clear(); // nothing to remove: no error
    writeFileSync(path, 'garbage{');
    expect(store.get()).toBeNull();
    store.set({ accessToken: 'a', refreshToken: null });
    expect(store.get()).toEqual({ accessToken: 'a', refreshToken: null });
    store.clear();
    expect(() => statSync(path)).toThrow();
    expect(store.get()).toBeNull();
  });
});

// @ts-check
// The chat page: an ES module, no bundler, no framework. It talks to the server through @arcade/client,
// which the server serves at /vendor/arcade-client/, typed by the chat's events map
// (../src/chat-events.ts; `pnpm typecheck` checks this file against it). The client reconnects by
// itself, rejoins the room and gets the lines missed meanwhile replayed; this file shows them once, in
// order, and reloads the room's recent lines when the server could not replay (`recovered: false`).

import {
  addChatLine,
  addNotice,
  addPrivate,
  clearMessages,
  closeSidebar,
  el,
  renderMembers,
  renderRooms,
  renderTyping,
  setStatus,
} from './chat-view.js';
import { createClient, ServerError } from './vendor/arcade-client/index.js';

/** @typedef {import('../src/chat-events').ChatEvents} ChatEvents */
/** @typedef {import('../src/chat-events').ChatLine} ChatLine */
/** @typedef {import('../src/chat-events').ChatUser} ChatUser */
/** @typedef {import('../src/chat-events').MemberNotice} MemberNotice */
/** @typedef {import('./vendor/arcade-client/index.js').ArcadeClient<ChatEvents>} ChatClient */
/** @typedef {import('./vendor/arcade-client/index.js').StatusEvent} StatusEvent */

const TYPING_SEND_EVERY_MS = 2000;
const TYPING_IDLE_MS = 3000;
const TYPING_SHOWN_MS = 5000;
const ROOMS_REFRESH_MS = 15000;
const REJOIN_RETRY_MS = 10000;

const state = {
  /** @type {ChatClient | null} */
  client: null,
  /** The name the client connects with: its `name` parameter, sent again on every reconnection. */
  name: '',
  online: false,
  joining: false,
  /** @type {string | null} the room the page shows */
  room: null,
  /** @type {ChatUser | null} */
  you: null,
  /** @type {Map<string, ChatUser>} */
  members: new Map(),
  /**
   * While the room's recent lines are being read: the live lines that arrive meanwhile, shown after
   * them (those the read holds too are shown once).
   * @type {ChatLine[] | null}
   */
  held: null,
  /** @type {Map<string, { name: string, timer: ReturnType<typeof setTimeout> }>} */
  typing: new Map(),
  /** @type {ChatUser | null} the member a private message goes to */
  dm: null,
  /** @type {{ lines: number } | null} since the connection was lost: the lines received (replayed) since */
  away: null,
  lastTypingSent: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  typingIdleTimer: undefined,
};

/** What a refusal says to the user: the first issue of a refused payload, else the error's message. */
function describe(/** @type {unknown} */ error) {
  if (error instanceof ServerError && error.code === 'INVALID_PAYLOAD' && error.issues?.[0]) {
    return error.issues[0].message;
  }
  return error instanceof Error ? error.message : String(error);
}

const youId = () => state.you?.id;

// ---- the connection ---------------------------------------------------------------------------

/**
 * The client of `name`: the current one, or a new one in its place (the name is a parameter of the
 * connection, so another name means another connection).
 * @param {string} name
 * @returns {ChatClient}
 */
function clientFor(name) {
  if (state.client && state.name === name) return state.client;
  void state.client?.close();
  state.name = name;
  /** @type {ChatClient} */
  const client = createClient('/ws', { params: () => ({ name }) });
  state.client = client;
  const current = () => state.client === client;
  client.onStatus((event) => current() && showStatus(event));
  client.onJoin((room, { recovered, rejoin }) => current() && rejoin && onRejoin(client, room, recovered));
  client.onError((error) => current() && onClientError(client, error));
  client.on('welcome', ({ limits }) => {
    el.input.maxLength = limits.maxTextLength;
    el.joinName.maxLength = limits.maxNameLength;
    el.joinRoom.maxLength = limits.maxRoomLength;
  });
  client.on('line', (line) => current() && onLine(line));
  client.on('whisper', (message) => current() && addPrivate(message, youId()));
  client.on('memberJoined', (notice) => current() && onMemberJoined(notice));
  client.on('memberLeft', (notice) => current() && onMemberLeft(notice));
  client.on('typing', (notice) => {
    if (current() && notice.room === state.room) showTyping(notice.from, notice.typing);
  });
  client.on('announcement', ({ text }) => current() && addNotice(`📣 ${text}`, 'announcement'));
  return client;
}

/** @param {StatusEvent} event */
function showStatus(event) {
  const wasOnline = state.online;
  state.online = event.status === 'open';
  if (wasOnline && !state.online && state.room !== null) {
    // The lines the client gets back once it has rejoined come after this notice.
    addNotice('Connection lost: reconnecting…');
    state.away = { lines: 0 };
  }
  switch (event.status) {
    case 'connecting':
      setStatus('connecting', 'Connecting…');
      break;
    case 'open':
      setStatus('online', 'Online');
      break;
    case 'reconnecting':
      clearTyping();
      if (event.delayMs === null) setStatus('offline', 'Offline — waiting for the network');
      else
        setStatus(
          'reconnecting',
          `Reconnecting${event.delayMs >= 1000 ? ` in ${Math.ceil(event.delayMs / 1000)} s` : ''}…`,
        );
      break;
    case 'closed':
      clearTyping();
      setStatus('closed', event.error ? `Disconnected: ${event.error.message}` : 'Disconnected');
      break;
  }
  updateControls();
}

/**
 * The client rejoined the room after a reconnection. `recovered`: the lines missed meanwhile were
 * replayed before this (and shown by onLine); the member list is read again. Otherwise the server
 * could not replay them: the room's recent lines are read again and those not shown yet are added.
 * @param {ChatClient} client
 * @param {string} room
 * @param {boolean} recovered
 */
function onRejoin(client, room, recovered) {
  if (room !== state.room) return;
  const replayed = state.away?.lines ?? 0;
  state.away = null;
  if (recovered) {
    addNotice(
      replayed === 0
        ? 'Reconnected'
        : `Reconnected: ${replayed} missed line${replayed === 1 ? '' : 's'} recovered above`,
    );
    void loadView(client, room, false);
  } else {
    addNotice('Reconnected: some lines may have been missed meanwhile, so the recent ones were reloaded.');
    void loadView(client, room, true);
  }
}

/**
 * @param {ChatClient} client
 * @param {import('./vendor/arcade-client/index.js').ArcadeClientError} error
 */
function onClientError(client, error) {
  if (!(error instanceof ServerError)) {
    // Terminal closes show in the status; failed attempts are retried by the client.
    if (error.code === 'LISTENER_FAILED') console.error(error);
    return;
  }
  if (error.room !== undefined && error.room === state.room) {
    // A rejoin refused (too many joins from this address, say): the client forgot the room; ask again later.
    const room = error.room;
    el.chatError.textContent = `${describe(error)} Rejoining #${room} in ${REJOIN_RETRY_MS / 1000} s.`;
    setTimeout(() => {
      if (state.client === client && state.room === room) void join(state.name, room);
    }, REJOIN_RETRY_MS);
    return;
  }
  el.chatError.textContent = describe(error);
}

// ---- the room -----------------------------------------------------------------------------------

/**
 * Joins `room` as `name` (leaving the room shown, if any), then reads its members and recent lines.
 * @param {string} name
 * @param {string} room
 */
async function join(name, room) {
  if (state.joining) return;
  state.joining = true;
  updateControls();
  const client = clientFor(name);
  const errors = state.room === null ? el.joinError : el.chatError;
  try {
    await client.join(room);
  } catch (error) {
    errors.textContent = describe(error);
    if (!(error instanceof ServerError)) {
      // No answer in time: the client would still join later, unasked; give the room up instead.
      void client.leave(room).catch(() => {});
    } else if (error.code === 'INVALID_NAME') {
      void client.close();
      state.client = null;
      setStatus('idle', 'Not connected');
    }
    return;
  } finally {
    state.joining = false;
    updateControls();
  }
  const previous = state.room;
  // The server moved the connection out of it once the new join was answered; the client must forget
  // it too, not rejoin it after a reconnection. (The server counts this leave with the joins; past
  // that budget it refuses it, which changes nothing here: the client has forgotten the room.)
  if (previous !== null && previous !== room) void client.leave(previous).catch(() => {});
  showRoom(room, previous !== room);
  await loadView(client, room, true);
}

/**
 * @param {string} room
 * @param {boolean} switched
 */
function showRoom(room, switched) {
  state.room = room;
  sessionStorage.setItem('chat.name', state.name);
  if (location.hash !== `#${encodeURIComponent(room)}`) {
    history.replaceState(null, '', `#${encodeURIComponent(room)}`);
  }
  if (switched) {
    clearMessages();
    state.members.clear();
    clearTyping();
    setDm(null);
  }
  el.currentRoom.textContent = `# ${room}`;
  document.title = `${room} · Arcade chat`;
  el.joinView.hidden = true;
  el.chatView.hidden = false;
  el.sidebarToggle.hidden = false;
  el.joinError.textContent = '';
  el.chatError.textContent = '';
  updateControls();
  closeSidebar();
  el.input.focus();
  refreshRooms();
}

/**
 * Reads the room's members and, with `history`, its recent lines (adding those not shown yet, then the
 * live lines that came meanwhile).
 * @param {ChatClient} client
 * @param {string} room
 * @param {boolean} history
 */
async function loadView(client, room, history) {
  /** @type {ChatLine[]} */
  const held = [];
  if (history) state.held = held;
  try {
    const view = await client.request('roomView', { room, history });
    if (state.client !== client || state.room !== room) return;
    state.you = view.you;
    state.members = new Map(view.members.map((member) => [member.id, member]));
    showMembers();
    for (const line of view.lines) addChatLine(line, view.you.id);
  } catch (error) {
    if (state.room === room) el.chatError.textContent = describe(error);
  } finally {
    if (state.held === held) state.held = null;
    for (const line of held) if (line.room === state.room) addChatLine(line, youId());
  }
}

/** @param {ChatLine} line */
function onLine(line) {
  if (line.room !== state.room) return;
  if (state.away) state.away.lines += 1;
  clearTypingOf(line.from.id);
  if (state.held) state.held.push(line);
  else addChatLine(line, youId());
}

/** @param {MemberNotice} notice */
function onMemberJoined(notice) {
  if (notice.room !== state.room) return;
  if (!state.members.has(notice.member.id)) addNotice(`${notice.member.name} joined`);
  state.members.set(notice.member.id, notice.member);
  showMembers();
  refreshRooms();
}

/** @param {MemberNotice} notice */
function onMemberLeft(notice) {
  if (notice.room !== state.room) return;
  state.members.delete(notice.member.id);
  clearTypingOf(notice.member.id);
  addNotice(`${notice.member.name} left`);
  showMembers();
  refreshRooms();
}

function showMembers() {
  renderMembers(state.members.values(), youId(), (member) => {
    setDm(member);
    closeSidebar();
    el.input.focus();
  });
}

/** @type {Promise<void> | null} */
let roomsRequest = null;
function refreshRooms() {
  if (roomsRequest) return;
  roomsRequest = fetch('/api/rooms', { headers: { accept: 'application/json' } })
    .then((response) => (response.ok ? response.json() : null))
    .then((body) => {
      if (body && Array.isArray(body.rooms)) {
        renderRooms(body.rooms, state.room, {
          pick: (name) => {
            el.joinRoom.value = name;
            el.joinName.focus();
          },
          switchTo: (name) => switchRoom(name),
        });
      }
    })
    .catch(() => {})
    .finally(() => {
      roomsRequest = null;
    });
}

/** @param {string} room */
function switchRoom(room) {
  const normalized = normalize(room);
  if (state.client === null || normalized === '' || normalized === state.room) return;
  void join(state.name, normalized);
}

// ---- typing -------------------------------------------------------------------------------------

/**
 * @param {ChatUser} who
 * @param {boolean} typing
 */
function showTyping(who, typing) {
  const previous = state.typing.get(who.id);
  if (previous) clearTimeout(previous.timer);
  if (typing) {
    const timer = setTimeout(() => clearTypingOf(who.id), TYPING_SHOWN_MS);
    state.typing.set(who.id, { name: who.name, timer });
  } else {
    state.typing.delete(who.id);
  }
  renderTyping([...state.typing.values()].map((entry) => entry.name));
}

/** @param {string} id */
function clearTypingOf(id) {
  const entry = state.typing.get(id);
  if (!entry) return;
  clearTimeout(entry.timer);
  state.typing.delete(id);
  renderTyping([...state.typing.values()].map((other) => other.name));
}

function clearTyping() {
  for (const entry of state.typing.values()) clearTimeout(entry.timer);
  state.typing.clear();
  renderTyping([]);
}

/** Tells the room this page is typing (at most every 2 s), or stopped. @param {boolean} typing */
function sendTyping(typing) {
  const client = state.client;
  if (!client || !state.online || state.room === null) return;
  if (typing) {
    const now = Date.now();
    if (now - state.lastTypingSent >= TYPING_SEND_EVERY_MS) {
      state.lastTypingSent = now;
      client.send('typing', { typing: true });
    }
    clearTimeout(state.typingIdleTimer);
    state.typingIdleTimer = setTimeout(() => sendTyping(false), TYPING_IDLE_MS);
  } else if (state.lastTypingSent !== 0) {
    clearTimeout(state.typingIdleTimer);
    state.lastTypingSent = 0;
    client.send('typing', { typing: false });
  }
}

// ---- user actions -------------------------------------------------------------------------------

function updateControls() {
  const ready = state.online && state.room !== null;
  el.input.disabled = !ready;
  el.send.disabled = !ready;
  el.joinButton.disabled = state.joining;
  el.input.placeholder = ready
    ? state.dm
      ? `Private message to ${state.dm.name}…`
      : `Message # ${state.room}`
    : 'Waiting for the connection…';
}

/** @param {ChatUser | null} member */
function setDm(member) {
  state.dm = member;
  el.dmTarget.hidden = !member;
  el.dmLabel.textContent = member ? `Private message to ${member.name}` : '';
  updateControls();
}

/** A name or room as the server keeps it: trimmed, inner runs of spaces collapsed. @param {string} value */
function normalize(value) {
  return value.trim().replace(/\s+/g, ' ');
}

el.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = normalize(el.joinName.value);
  const room = normalize(el.joinRoom.value);
  if (!name) {
    el.joinError.textContent = 'Choose a name: it cannot be empty.';
    el.joinName.focus();
    return;
  }
  if (!room) {
    el.joinError.textContent = 'Choose a room: its name cannot be empty.';
    el.joinRoom.focus();
    return;
  }
  el.joinError.textContent = '';
  void join(name, room);
});

el.newRoomForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const room = el.newRoom.value;
  el.newRoom.value = '';
  switchRoom(room);
});

el.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = el.input.value.trim();
  if (!text) {
    el.chatError.textContent = 'Empty messages are not sent: type some text first.';
    return;
  }
  const client = state.client;
  if (!client || state.room === null) return;
  const dm = state.dm;
  const sent = dm
    ? client.request('whisper', { to: dm.id, text }).then((copy) => addPrivate(copy, youId()))
    : client.request('say', { text });
  sendTyping(false);
  el.input.value = '';
  autoGrow();
  sent.then(
    () => {
      el.chatError.textContent = '';
    },
    (error) => {
      el.chatError.textContent = describe(error);
      // Not sent: the text comes back, unless something else was typed meanwhile.
      if (el.input.value === '') {
        el.input.value = text;
        autoGrow();
      }
    },
  );
});

function autoGrow() {
  el.input.style.height = 'auto';
  el.input.style.height = `${el.input.scrollHeight + 2}px`;
}

el.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    el.composer.requestSubmit();
  } else if (event.key === 'Escape' && state.dm) {
    setDm(null);
  }
});
el.input.addEventListener('input', () => {
  autoGrow();
  sendTyping(el.input.value.trim() !== '');
});
el.input.addEventListener('blur', () => sendTyping(false));
el.dmCancel.addEventListener('click', () => {
  setDm(null);
  el.input.focus();
});

// ---- start --------------------------------------------------------------------------------------

el.joinName.value = sessionStorage.getItem('chat.name') ?? '';
if (location.hash.length > 1) {
  try {
    el.joinRoom.value = decodeURIComponent(location.hash.slice(1));
  } catch {
    // A hand-edited hash that is not valid percent-encoding: keep the default room.
  }
}
(el.joinName.value ? el.joinRoom : el.joinName).focus();
updateControls();
refreshRooms();
setInterval(() => {
  if (document.visibilityState === 'visible') refreshRooms();
}, ROOMS_REFRESH_MS);

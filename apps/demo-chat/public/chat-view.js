// @ts-check
// What the page shows: the message list, members, rooms, typing line and connection status. No
// network here (app.js drives it). User text is only ever put into the page with textContent, never
// as markup.

/** @typedef {import('../src/chat-events').ChatLine} ChatLine */
/** @typedef {import('../src/chat-events').ChatUser} ChatUser */
/** @typedef {import('../src/chat-events').PrivateMessage} PrivateMessage */
/** @typedef {import('../src/chat-events').RoomSummary} RoomSummary */
/** @typedef {'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline' | 'closed'} StatusKind */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no #${id}`);
  return element;
}

export const el = {
  status: byId('status', HTMLElement),
  currentRoom: byId('current-room', HTMLElement),
  sidebarToggle: byId('sidebar-toggle', HTMLButtonElement),
  sidebar: byId('sidebar', HTMLElement),
  joinView: byId('join-view', HTMLElement),
  joinForm: byId('join-form', HTMLFormElement),
  joinName: byId('join-name', HTMLInputElement),
  joinRoom: byId('join-room', HTMLInputElement),
  joinError: byId('join-error', HTMLElement),
  joinButton: byId('join-button', HTMLButtonElement),
  joinRooms: byId('join-rooms', HTMLElement),
  roomSuggestions: byId('room-suggestions', HTMLElement),
  chatView: byId('chat-view', HTMLElement),
  rooms: byId('rooms', HTMLElement),
  newRoomForm: byId('new-room-form', HTMLFormElement),
  newRoom: byId('new-room', HTMLInputElement),
  members: byId('members', HTMLElement),
  memberCount: byId('member-count', HTMLElement),
  messages: byId('messages', HTMLElement),
  typing: byId('typing', HTMLElement),
  chatError: byId('chat-error', HTMLElement),
  composer: byId('composer', HTMLFormElement),
  input: byId('message-input', HTMLTextAreaElement),
  send: byId('send-button', HTMLButtonElement),
  dmTarget: byId('dm-target', HTMLElement),
  dmLabel: byId('dm-label', HTMLElement),
  dmCancel: byId('dm-cancel', HTMLButtonElement),
};

/** Ids of the lines and private messages shown: each is shown once, however often it arrives. */
const shown = new Set();

/**
 * @param {StatusKind} kind
 * @param {string} text
 */
export function setStatus(kind, text) {
  el.status.dataset.state = kind;
  el.status.textContent = text;
}

/** @param {string} iso */
function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** @param {() => void} render */
function stickToBottom(render) {
  const list = el.messages;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  render();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/**
 * @param {string} className
 * @param {string} author
 * @param {string} at
 * @param {string} text
 */
function messageItem(className, author, at, text) {
  const item = document.createElement('li');
  item.className = className;
  const meta = document.createElement('div');
  meta.className = 'meta';
  const who = document.createElement('span');
  who.className = 'author';
  who.textContent = author;
  const when = document.createElement('time');
  when.dateTime = at;
  when.textContent = formatTime(at);
  meta.append(who, when);
  const body = document.createElement('p');
  body.className = 'text';
  body.textContent = text;
  item.append(meta, body);
  return item;
}

/** Empties the message list (another room). */
export function clearMessages() {
  el.messages.replaceChildren();
  shown.clear();
}

/**
 * Appends a chat line unless it is shown already; returns whether it was new.
 * @param {ChatLine} line
 * @param {string | undefined} youId
 */
export function addChatLine(line, youId) {
  if (shown.has(line.id)) return false;
  shown.add(line.id);
  const mine = line.from.id === youId;
  stickToBottom(() =>
    el.messages.append(messageItem(mine ? 'message mine' : 'message', line.from.name, line.at, line.text)),
  );
  return true;
}

/**
 * @param {PrivateMessage} message
 * @param {string | undefined} youId
 */
export function addPrivate(message, youId) {
  if (shown.has(message.id)) return;
  shown.add(message.id);
  const outgoing = message.from.id === youId;
  const label = outgoing ? `You → ${message.to.name} (private)` : `${message.from.name} → you (private)`;
  stickToBottom(() =>
    el.messages.append(
      messageItem(`message private${outgoing ? ' mine' : ''}`, label, message.at, message.text),
    ),
  );
}

/**
 * @param {string} text
 * @param {string} [extraClass]
 */
export function addNotice(text, extraClass) {
  const item = document.createElement('li');
  item.className = extraClass ? `notice ${extraClass}` : 'notice';
  item.textContent = text;
  stickToBottom(() => el.messages.append(item));
}

/**
 * @param {Iterable<ChatUser>} people
 * @param {string | undefined} youId
 * @param {(member: ChatUser) => void} onChoose a member picked for a private message
 */
export function renderMembers(people, youId, onChoose) {
  const members = [...people].sort((a, b) => a.name.localeCompare(b.name));
  el.memberCount.textContent = `(${members.length})`;
  el.members.replaceChildren(
    ...members.map((member) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      const name = document.createElement('span');
      const isYou = member.id === youId;
      name.textContent = isYou ? `${member.name} (you)` : member.name;
      button.append(name);
      if (isYou) {
        button.disabled = true;
      } else {
        button.setAttribute('aria-label', `Send a private message to ${member.name}`);
        button.addEventListener('click', () => onChoose(member));
      }
      item.append(button);
      return item;
    }),
  );
}

/**
 * @param {RoomSummary} room
 * @param {string | null} current
 * @param {(name: string) => void} onChoose
 */
function roomButton(room, current, onChoose) {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  const name = document.createElement('span');
  name.textContent = room.name;
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.textContent = String(room.memberCount);
  badge.setAttribute('aria-label', `${room.memberCount} ${room.memberCount === 1 ? 'person' : 'people'}`);
  button.append(name, badge);
  if (room.name === current) button.setAttribute('aria-current', 'true');
  button.addEventListener('click', () => onChoose(room.name));
  item.append(button);
  return item;
}

/**
 * The room lists of the join form and of the sidebar.
 * @param {RoomSummary[]} rooms
 * @param {string | null} current
 * @param {{ pick: (name: string) => void, switchTo: (name: string) => void }} actions
 */
export function renderRooms(rooms, current, actions) {
  el.roomSuggestions.replaceChildren(
    ...rooms.map((room) => {
      const option = document.createElement('option');
      option.value = room.name;
      return option;
    }),
  );
  el.joinRooms.replaceChildren(...rooms.map((room) => roomButton(room, current, actions.pick)));
  el.rooms.replaceChildren(...rooms.map((room) => roomButton(room, current, actions.switchTo)));
}

/** @param {string[]} names the people typing */
export function renderTyping(names) {
  if (names.length === 0) el.typing.textContent = '';
  else if (names.length === 1) el.typing.textContent = `${names[0]} is typing…`;
  else if (names.length <= 3)
    el.typing.textContent = `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
  else el.typing.textContent = 'Several people are typing…';
}

export function closeSidebar() {
  el.sidebar.classList.remove('open');
  el.sidebarToggle.setAttribute('aria-expanded', 'false');
}

el.sidebarToggle.addEventListener('click', () => {
  const open = !el.sidebar.classList.contains('open');
  el.sidebar.classList.toggle('open', open);
  el.sidebarToggle.setAttribute('aria-expanded', String(open));
  if (open) el.sidebar.querySelector('button')?.focus();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && el.sidebar.classList.contains('open')) {
    closeSidebar();
    el.sidebarToggle.focus();
  }
});

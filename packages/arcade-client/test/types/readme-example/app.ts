// app.ts (the page's ES module)
import { createClient } from '@arcade/client';
import type { ChatEvents } from './chat-events';
const show = (text: string) => document.body.append(text, document.createElement('br'));
const client = createClient<ChatEvents>('/chat', { params: () => ({ name: 'ada' }) });
client.on('line', ({ user, text }) => show(`${user}: ${text}`));
client.onJoin((room, { recovered }) => recovered || show(`(messages of ${room} were missed: reload them)`));
client.join('public:lobby').catch((error: Error) => show(error.message));
client.send('say', { room: 'public:lobby', text: 'hello' });
client.request('members', { room: 'public:lobby' }).then((count) => show(`${count} here`));

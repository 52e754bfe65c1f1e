import { EVENT_ERROR_CODES } from '../protocol/codes';
import type { PayloadIssue } from '../protocol/frames';
import { EventError } from './event-error';
import type { RouteConnection } from './events-route';
import { validatePayload } from './validation';
import { errorFrame, resultFrame } from './wire';

/**
 * Runs the handler of a client's event (`id` undefined: an `emit` frame) or request (`req`), after its
 * schema when it has one, and answers: a request with `res` or `err`, an event only when refused
 * (docs/events-protocol.md, "Error codes"). Never rejects: every failure is answered, and logged when
 * it is not the app's `EventError`.
 */
export async function runHandler(
  connection: RouteConnection,
  event: string,
  data: unknown,
  id: number | undefined,
): Promise<void> {
  const { events, schemas } = connection.route.definition;
  const handler = Object.hasOwn(events, event) ? events[event] : undefined;
  const refused = (code: string, message: string, issues?: PayloadIssue[]) =>
    connection.send(
      errorFrame(id === undefined ? { event, code, message, issues } : { id, code, message, issues }),
    );
  if (typeof handler !== 'function') {
    refused(EVENT_ERROR_CODES.UNKNOWN_EVENT, `No handler for ${JSON.stringify(event)} on this route`);
    return;
  }
  let payload = data;
  let result: unknown;
  try {
    const schema = schemas && Object.hasOwn(schemas, event) ? schemas[event] : undefined;
    if (schema) {
      const validated = await validatePayload(schema, data);
      if ('issues' in validated) {
        refused(
          EVENT_ERROR_CODES.INVALID_PAYLOAD,
          `Invalid payload for ${JSON.stringify(event)}: ${validated.issues[0]?.message ?? 'refused by its schema'}`,
          validated.issues,
        );
        return;
      }
      payload = validated.value;
    }
    result = await handler(payload, connection);
  } catch (error) {
    if (error instanceof EventError) {
      refused(error.code, error.message);
    } else {
      connection.log(`The handler of ${JSON.stringify(event)} failed`, error);
      refused(EVENT_ERROR_CODES.HANDLER_FAILED, `The handler of ${JSON.stringify(event)} failed`);
    }
    return;
  }
  if (id === undefined) return;
  let reply: string;
  try {
    reply = resultFrame(id, result);
  } catch (error) {
    connection.log(`The reply of ${JSON.stringify(event)} is not JSON`, error);
    refused(EVENT_ERROR_CODES.HANDLER_FAILED, `The handler of ${JSON.stringify(event)} failed`);
    return;
  }
  connection.send(reply);
}

import type { EventSchemas } from '@arcade/ws';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ChatEvents } from './chat-events';
import { ChatInputError, isRecord, validateJoinedRoom, validateRecipient, validateText } from './validation';

// The runtime check of every payload a client sends, as Standard Schemas that `handleEvents` runs
// before a handler (a refused payload gets `INVALID_PAYLOAD`, its `issues` carrying the messages
// below, and the handler is not called). Hand-written on the rules of src/validation.ts rather than
// with zod: the rules and their wording already exist and are tested, and five small schemas do not
// justify a dependency of the server, nor two descriptions of one rule.

/** A field's check: returns the value to pass on (trimmed, say) or throws a {@link ChatInputError}. */
type FieldCheck<T> = (value: unknown) => T;

const VENDOR = 'demo-chat';

function fail(message: string, path?: readonly PropertyKey[]): StandardSchemaV1.FailureResult {
  return { issues: [path === undefined ? { message } : { message, path }] };
}

/**
 * A schema of an object with exactly these fields: each is checked by its function, every broken
 * one reported (with its path), and fields not listed are dropped from what the handler receives.
 */
function objectSchema<T extends object>(
  example: string,
  fields: { [K in keyof T]: FieldCheck<T[K]> },
): StandardSchemaV1<unknown, T> {
  return {
    '~standard': {
      version: 1,
      vendor: VENDOR,
      validate(value) {
        if (!isRecord(value)) return fail(`Send an object such as ${example}.`);
        const output: Partial<T> = {};
        const issues: StandardSchemaV1.Issue[] = [];
        for (const key of Object.keys(fields) as (keyof T & string)[]) {
          try {
            output[key] = fields[key](value[key]);
          } catch (error) {
            if (!(error instanceof ChatInputError)) throw error;
            issues.push({ message: error.message, path: [key] });
          }
        }
        return issues.length > 0 ? { issues } : { value: output as T };
      },
    },
  };
}

/** The schema of a request that takes no payload: nothing, or `null`, and nothing else. */
const noPayload: StandardSchemaV1<unknown, undefined> = {
  '~standard': {
    version: 1,
    vendor: VENDOR,
    validate: (value) =>
      value === undefined || value === null
        ? { value: undefined }
        : fail('This request takes no payload: send it without one.'),
  },
};

function booleanField(name: string): FieldCheck<boolean> {
  return (value) => {
    if (typeof value !== 'boolean') {
      throw new ChatInputError('INVALID_FIELD', `"${name}" must be true or false.`);
    }
    return value;
  };
}

/** A schema for every name of `toServer`: the compiler refuses a new event without one. */
export const CHAT_SCHEMAS: Required<EventSchemas<ChatEvents>> = {
  say: objectSchema<{ text: string }>('{"text":"hello"}', { text: validateText }),
  whisper: objectSchema<{ to: string; text: string }>('{"to":"<connection id>","text":"psst"}', {
    to: validateRecipient,
    text: validateText,
  }),
  typing: objectSchema<{ typing: boolean }>('{"typing":true}', { typing: booleanField('typing') }),
  listRooms: noPayload,
  roomView: objectSchema<{ room: string; history: boolean }>('{"room":"lobby","history":true}', {
    room: (value) => {
      if (typeof value !== 'string') throw new ChatInputError('INVALID_ROOM', '"room" must be a string.');
      return validateJoinedRoom(value);
    },
    history: booleanField('history'),
  }),
};

import { readFrame } from '../src/frames';

describe('readFrame', () => {
  it('reads an event frame, with or without data', () => {
    expect(readFrame('{"event":"line","data":{"text":"hi"}}')).toEqual({
      kind: 'event',
      event: 'line',
      data: { text: 'hi' },
    });
    expect(readFrame('{"event":"notice"}')).toEqual({ kind: 'event', event: 'notice', data: undefined });
  });

  it('reads history frames: an event, a text message and a base64 binary message, each with its position', () => {
    const position = { epoch: 'e1', offset: 7 };
    expect(readFrame('{"room":"r","epoch":"e1","offset":7,"event":"line","data":1}')).toEqual({
      kind: 'history-event',
      room: 'r',
      position,
      event: 'line',
      data: 1,
    });
    expect(readFrame('{"room":"r","epoch":"e1","offset":7,"message":"plain text"}')).toEqual({
      kind: 'history-raw',
      room: 'r',
      position,
      data: 'plain text',
    });
    expect(readFrame('{"room":"r","epoch":"e1","offset":7,"binary":"AAEC/w=="}')).toEqual({
      kind: 'history-raw',
      room: 'r',
      position,
      data: new Uint8Array([0, 1, 2, 255]),
    });
  });

  it('reads replies, errors (with issues) and pongs', () => {
    expect(readFrame('{"t":"res","id":3,"data":[1]}')).toEqual({ kind: 'result', id: 3, data: [1] });
    expect(readFrame('{"t":"res","id":4}')).toEqual({ kind: 'result', id: 4, data: undefined });
    expect(
      readFrame(
        '{"t":"err","id":5,"code":"INVALID_PAYLOAD","message":"bad","issues":[{"message":"Required","path":["text",0]},{"message":"x"},7]}',
      ),
    ).toEqual({
      kind: 'error',
      error: {
        id: 5,
        event: undefined,
        code: 'INVALID_PAYLOAD',
        message: 'bad',
        issues: [{ message: 'Required', path: ['text', 0] }, { message: 'x' }],
      },
    });
    expect(readFrame('{"t":"err","event":"say","code":"UNKNOWN_EVENT","message":"no"}')).toMatchObject({
      kind: 'error',
      error: { id: undefined, event: 'say', issues: [] },
    });
    expect(readFrame('{"t":"pong"}')).toEqual({ kind: 'pong' });
  });

  it.each([
    ['plain text', 'hello'],
    ['a JSON array', '[1,2]'],
    ['JSON that is not an object', '"text"'],
    ['text that starts like an object', '{not json'],
    ['an object without event', '{"text":"hi"}'],
    ['an unknown t', '{"t":"chat","text":"hi"}'],
    ['a reply without a valid id', '{"t":"res","id":0}'],
    ['an err without a message', '{"t":"err","id":1,"code":"X"}'],
    ['a history frame with a bad offset', '{"room":"r","epoch":"e","offset":-1,"event":"line"}'],
    ['a history frame with invalid base64', '{"room":"r","epoch":"e","offset":1,"binary":"***"}'],
    ['an empty frame', ''],
  ])('hands %s to the app as a raw message, unchanged', (_what, text) => {
    expect(readFrame(text)).toEqual({ kind: 'raw', data: text });
  });

  it('hands binary frames over as bytes', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(readFrame(bytes.buffer)).toEqual({ kind: 'raw', data: bytes });
    expect(readFrame(bytes)).toEqual({ kind: 'raw', data: bytes });
  });
});

import {
  ChatInputError,
  parseClientMessage,
  validateName,
  validateRoom,
  validateText,
} from '../src/validation';

function errorOf(run: () => unknown): ChatInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof ChatInputError) return error;
    throw error;
  }
  throw new Error('expected a ChatInputError');
}

describe('parseClientMessage', () => {
  it('returns a join with trimmed, collapsed names', () => {
    expect(parseClientMessage('{"type":"join","name":"  Zoë  Ann ","room":" café  du coin "}')).toEqual({
      type: 'join',
      name: 'Zoë Ann',
      room: 'café du coin',
    });
  });

  it('reads typing as a boolean', () => {
    expect(parseClientMessage('{"type":"typing","typing":"yes"}')).toEqual({ type: 'typing', typing: false });
    expect(parseClientMessage('{"type":"typing","typing":true}')).toEqual({ type: 'typing', typing: true });
  });

  it('keeps markup in text as plain characters', () => {
    expect(parseClientMessage('{"type":"message","text":"<script>alert(1)</script>"}')).toEqual({
      type: 'message',
      text: '<script>alert(1)</script>',
    });
  });

  it('refuses a JSON value that is not an object', () => {
    expect(errorOf(() => parseClientMessage('[1,2]')).code).toBe('invalid_json');
    expect(errorOf(() => parseClientMessage('null')).code).toBe('invalid_json');
  });

  it('refuses a private message without a recipient', () => {
    const error = errorOf(() => parseClientMessage('{"type":"private","text":"hi"}'));
    expect(error.code).toBe('recipient_not_found');
    expect(error.requestType).toBe('private');
  });

  it('shortens an absurd unknown type in its error', () => {
    const error = errorOf(() => parseClientMessage(JSON.stringify({ type: 'z'.repeat(500) })));
    expect(error.code).toBe('unknown_type');
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('validators', () => {
  it('count characters, not UTF-16 units', () => {
    expect(validateName('𝒜'.repeat(32))).toHaveLength(64);
    expect(errorOf(() => validateName('𝒜'.repeat(33))).message).toContain('at most 32');
  });

  it('accept scripts other than Latin', () => {
    expect(validateName('Дмитрий')).toBe('Дмитрий');
    expect(validateRoom('東京')).toBe('東京');
  });

  it('refuse names that start with punctuation', () => {
    expect(errorOf(() => validateName('-dash')).code).toBe('invalid_name');
    expect(errorOf(() => validateRoom('_under')).code).toBe('invalid_room');
  });

  it('keep newlines and tabs in text but trim the ends', () => {
    expect(validateText('\n line one\n\tline two \n')).toBe('line one\n\tline two');
  });

  it('refuse text that is not a string', () => {
    expect(errorOf(() => validateText(42)).message).toContain('"text" string');
  });
});

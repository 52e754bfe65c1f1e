import {
  ChatInputError,
  validateJoinedRoom,
  validateName,
  validateRecipient,
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
    expect(errorOf(() => validateName('-dash')).code).toBe('INVALID_NAME');
    expect(errorOf(() => validateRoom('_under')).code).toBe('INVALID_ROOM');
  });

  it('keep newlines and tabs in text but trim the ends', () => {
    expect(validateText('\n line one\n\tline two \n')).toBe('line one\n\tline two');
  });

  it('refuse text that is not a string', () => {
    expect(errorOf(() => validateText(42)).message).toContain('"text" string');
  });

  it('trim names and collapse their inner spaces', () => {
    expect(validateName('  Zoë  Ann ')).toBe('Zoë Ann');
    expect(validateRoom(' café  du coin ')).toBe('café du coin');
  });

  it('keep markup in text as plain characters', () => {
    expect(validateText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });

  it('take a joined room only in the form the chat keeps it, since the client rejoins that exact string', () => {
    expect(validateJoinedRoom('café du coin')).toBe('café du coin');
    const error = errorOf(() => validateJoinedRoom(' café  du coin '));
    expect(error.code).toBe('INVALID_ROOM');
    expect(error.message).toContain('join "café du coin"');
  });

  it('refuse a recipient that cannot be a connection id', () => {
    expect(validateRecipient('c-1')).toBe('c-1');
    for (const bad of ['', 42, 'x'.repeat(65), undefined]) {
      expect(errorOf(() => validateRecipient(bad)).code).toBe('INVALID_RECIPIENT');
    }
  });
});

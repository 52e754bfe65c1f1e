import {
  InvalidRoomNameError,
  MetadataLimitError,
  RoomLimitError,
  StorageUnavailableError,
  WebSocketError,
  type WebSocketErrorCode,
} from '../../src/index';

describe('WebSocketError', () => {
  it('gives every error class its stable code, its own name and the WebSocketError base', () => {
    const cases: Array<[WebSocketError, WebSocketErrorCode, string]> = [
      [new InvalidRoomNameError(''), 'INVALID_ROOM_NAME', 'InvalidRoomNameError'],
      [new RoomLimitError('c1', 2), 'ROOM_LIMIT', 'RoomLimitError'],
      [new MetadataLimitError('c1', 20, 10), 'METADATA_LIMIT', 'MetadataLimitError'],
      [new StorageUnavailableError('Cannot read'), 'STORAGE_UNAVAILABLE', 'StorageUnavailableError'],
    ];
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(WebSocketError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
    }
  });

  it('takes ALREADY_LISTENING, the code of a second websocket.listen() on one connection', () => {
    // How transport's WebSocketListenError extends the base.
    class ListenedTwice extends WebSocketError {
      constructor(connectionId: string) {
        super('ALREADY_LISTENING', `websocket.listen() was already called for connection ${connectionId}`);
      }
    }
    const error = new ListenedTwice('c1');
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({ code: 'ALREADY_LISTENING', name: 'ListenedTwice' });
    expect(error.message).toContain('c1');
  });
});

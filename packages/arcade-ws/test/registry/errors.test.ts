import {
  InvalidRoomNameError,
  MetadataLimitError,
  RoomLimitError,
  StorageUnavailableError,
  WebSocketError,
  type WebSocketErrorCode,
  WebSocketListenError,
} from '../../src/index';

describe('WebSocketError', () => {
  it('gives every error class its stable code, its own name and the WebSocketError base', () => {
    const cases: Array<[WebSocketError, WebSocketErrorCode, string]> = [
      [new InvalidRoomNameError(''), 'INVALID_ROOM_NAME', 'InvalidRoomNameError'],
      [new RoomLimitError('c1', 2), 'ROOM_LIMIT', 'RoomLimitError'],
      [new MetadataLimitError('c1', 20, 10), 'METADATA_LIMIT', 'MetadataLimitError'],
      [new StorageUnavailableError('Cannot read'), 'STORAGE_UNAVAILABLE', 'StorageUnavailableError'],
      [new WebSocketListenError('c1'), 'ALREADY_LISTENING', 'WebSocketListenError'],
    ];
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(WebSocketError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
    }
  });
});

/** The two HTTP routes every HTTP target serves, with the same answers. */
export const JSON_PATH = '/json';
export const JSON_BODY = { hello: 'world' } as const;
/** A route with one path parameter; the answer echoes it. */
export const PARAM_PREFIX = '/users/';
export const PARAM_SAMPLE_PATH = '/users/42';

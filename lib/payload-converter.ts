/**
 * Temporal's payload converter with one change: JSON is encoded and decoded as UTF-8 by the runtime's own
 * TextEncoder/TextDecoder (Node's, and the workflow sandbox's, which Temporal provides) instead of the SDK's pure
 * JavaScript ones. The bytes are the same (JSON.stringify leaves no lone surrogate to encode differently), so
 * histories replay as before; megabyte payloads (a plan of thousands of tables, the state carried by a continue-as-
 * new) encode many times faster — at 1,000 tables the SDK's encoder alone took seconds of the worker's main thread.
 * Used by workers, in activities and (bundled) in workflows: workers/temporal.ts PAYLOAD_CONVERTER_PATH.
 */
import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  JsonPayloadConverter,
  METADATA_ENCODING_KEY,
  UndefinedPayloadConverter,
  ValueError,
  type Payload,
} from '@temporalio/common';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * UTF-8 bytes as a Uint8Array of this realm: inside the workflow sandbox TextEncoder is Node's and answers arrays of
 * the outer realm, which `instanceof Uint8Array` there does not recognise (a view, not a copy).
 */
function utf8(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

class NativeUtf8JsonPayloadConverter extends JsonPayloadConverter {
  public override toPayload(value: unknown): Payload | undefined {
    if (value === undefined) return undefined;
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return undefined;
    }
    return { metadata: { [METADATA_ENCODING_KEY]: utf8('json/plain') }, data: utf8(json) };
  }

  public override fromPayload<T>(content: Payload): T {
    if (content.data === undefined || content.data === null) throw new ValueError('Got payload with no data');
    return JSON.parse(decoder.decode(content.data)) as T;
  }
}

export const payloadConverter = new CompositePayloadConverter(new UndefinedPayloadConverter(), new BinaryPayloadConverter(), new NativeUtf8JsonPayloadConverter());

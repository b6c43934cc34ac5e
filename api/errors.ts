import type { NextFunction, Request, Response } from 'express';

/** An error the API answers with the seeds' error body: {"error":{code,message,details?,request_id}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new ApiError(404, `${what}_not_found`, `No ${what} exists with ID ${id}`);
export const conflict = (message: string, details?: Record<string, unknown>) => new ApiError(409, 'conflict', message, details);

export function sendError(res: Response, err: ApiError) {
  const requestId = res.locals.requestId as string | undefined;
  res.status(err.status).json({
    error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}), request_id: requestId },
  });
}

/** Last handler: known errors as they are, body-parser errors as 400/413, anything else as a bare 500 (logged, never echoed). */
export function errorHandler(log: { error: (obj: object, msg: string) => void }) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ApiError) return sendError(res, err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') return sendError(res, new ApiError(400, 'invalid_json', 'The request body is not valid JSON'));
    if (e?.type === 'entity.too.large') return sendError(res, new ApiError(413, 'payload_too_large', 'The request body is too large'));
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      return sendError(res, new ApiError(415, 'unsupported_media_type', 'Unsupported body encoding'));
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendError(res, new ApiError(e.status, 'bad_request', 'The request could not be read'));
    }
    log.error({ err, requestId: res.locals.requestId, path: req.path }, 'unhandled error');
    return sendError(res, new ApiError(500, 'internal_error', 'Something went wrong; the request id identifies it in the logs'));
  };
}

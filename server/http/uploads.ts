import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { AttachmentFile } from '../modules/attachments.repository.js';
import { AppError, ErrorCode, invalid } from '../errors.js';
import { MAX_BODY_BYTES } from '../../shared/schemas/template.js';

const MAX_FILES = 20;
/**
 * The "json" field holds the mail or template itself, whose HTML may be up to 8 MB (images pasted
 * in the editor are inline data URIs, up to 5 MB each); multer's default is 1 MB per field.
 */
const MAX_FIELD_BYTES = MAX_BODY_BYTES + 1024 * 1024;

/**
 * What multer and busboy report, as our typed errors naming the field: a client mistake (too many
 * files, a file under another name, a body cut off in the middle) is a 400, never a 500.
 */
function uploadError(err: unknown, maxBytes: number): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof multer.MulterError) {
    const field = err.field || 'files';
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `${field}: a file is larger than ${Math.round(maxBytes / 1048576)} MB`, { field });
      case 'LIMIT_FIELD_VALUE':
        return invalid(field, `is larger than ${MAX_FIELD_BYTES / 1048576} MB (the HTML may be at most 8 MB)`);
      case 'LIMIT_FILE_COUNT':
        return invalid(field, `at most ${MAX_FILES} files per upload`);
      case 'LIMIT_UNEXPECTED_FILE':
        return invalid(field, 'unexpected file field: send files as "files"');
      default:
        return invalid(field, err.message);
    }
  }
  // busboy: "Unexpected end of form", "Malformed part header", "Multipart: Boundary not found"…
  const message = err instanceof Error ? err.message : String(err);
  return invalid('files', `the multipart body is truncated or malformed (${message})`);
}

/** Multipart uploads held in memory; the per-template / per-email totals are checked by the services. */
export function uploadFiles(maxBytes: number): RequestHandler {
  const multipart = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: MAX_FILES, fieldSize: MAX_FIELD_BYTES } }).array('files');
  const parse: RequestHandler = (req, res, next) => multipart(req, res, (err?: unknown) => next(err === undefined ? undefined : uploadError(err, maxBytes)));
  // Files are held in memory, so the whole body is bounded before reading it: per-file limits
  // alone would let 20 files of almost the limit each through. Browsers always send
  // Content-Length with FormData; a multipart body without one is refused.
  const maxBody = maxBytes + MAX_FIELD_BYTES + 1024 * 1024;
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return parse(req, res, next);
    const length = Number(req.headers['content-length']);
    if (!Number.isFinite(length)) return next(new AppError(ErrorCode.VALIDATION, 'files: a multipart upload needs a Content-Length header'));
    if (length > maxBody) {
      return next(new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `files: the upload is ${(length / 1048576).toFixed(1)} MB; at most ${Math.round(maxBytes / 1048576)} MB of files are accepted here`));
    }
    return parse(req, res, next);
  };
}

export function filesOf(req: Request): AttachmentFile[] {
  const files = (req.files as Express.Multer.File[] | undefined) ?? [];
  return files.map((f) => ({
    // Browsers send UTF-8 names, which busboy reads as latin1 (multer issue #1104).
    filename: Buffer.from(f.originalname, 'latin1').toString('utf8'),
    contentType: f.mimetype || 'application/octet-stream',
    content: f.buffer,
  }));
}

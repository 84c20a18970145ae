import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { AttachmentFile } from '../modules/attachments.repository.js';
import { AppError, ErrorCode } from '../errors.js';

/** Multipart uploads held in memory; the per-template / per-email totals are checked by the services. */
export function uploadFiles(maxBytes: number): RequestHandler {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 20 } }).array('files');
  // Files are held in memory, so the whole body is bounded before reading it: per-file limits
  // alone would let 20 files of almost the limit each through. Browsers always send
  // Content-Length with FormData; a multipart body without one is refused.
  const maxBody = maxBytes + 1024 * 1024;
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

import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { AttachmentFile } from '../modules/attachments.repository.js';

/** Multipart uploads held in memory; the per-template / per-email totals are checked by the services. */
export function uploadFiles(maxBytes: number): RequestHandler {
  return multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 50 } }).array('files');
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

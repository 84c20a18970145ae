// Preloaded into a child server to make its clock wrong by FAKE_CLOCK_OFFSET_MS (Date.now and
// `new Date()`; everything else in JS derives from them), as on a machine whose clock drifted.
const offset = Number(process.env.FAKE_CLOCK_OFFSET_MS ?? 0);
if (offset) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = SkewedDate;
}

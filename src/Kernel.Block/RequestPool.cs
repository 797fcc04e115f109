// A device's spare requests for callers that do not bring their own (device-node reads and
// writes, dd, the benchmark): made at probe time, each with a one-page bounce buffer for partial
// sectors and for memory the device cannot reach directly. Take sleeps while all are in use.
//
// Layout: a stack of free requests (_free[0.._freeCount)) and the bounce page of request i at
// _bounce[i]. Invariants: a request is either on the stack or held by exactly one caller; the
// stack never holds more than Count. Under the block lock.
namespace Kernel.Block
{
    public sealed class RequestPool
    {
        public const int BounceBytes = 4096;

        private readonly BlockContext _context;
        private readonly BlockRequest[] _all;
        private readonly ulong[] _bounce;
        private readonly BlockRequest[] _free;
        private int _freeCount;
        private readonly WaitChannel _waiters;

        private RequestPool(BlockContext context, BlockRequest[] all, ulong[] bounce)
        {
            _context = context;
            _all = all;
            _bounce = bounce;
            _free = new BlockRequest[all.Length];
            for (int i = 0; i < all.Length; i++) _free[i] = all[i];
            _freeCount = all.Length;
            _waiters = context.CreateChannel();
        }

        // count requests of maxSegments segments; null when DMA memory ran out.
        public static RequestPool TryCreate(BlockContext context, int count, int maxSegments)
        {
            BlockRequest[] all = new BlockRequest[count];
            ulong[] bounce = new ulong[count];
            for (int i = 0; i < count; i++)
            {
                if (!context.TryAllocateDma(0, out bounce[i])) return null;
                all[i] = new BlockRequest(maxSegments, new Completion(context.CreateChannel()));
            }
            return new RequestPool(context, all, bounce);
        }

        public int Count => _all.Length;
        public int FreeCount => _freeCount;

        // A free request (sleeping until one is); Put gives it back.
        public BlockRequest Take()
        {
            _context.Lock();
            while (_freeCount == 0) _waiters.Sleep();
            BlockRequest r = _free[--_freeCount];
            _free[_freeCount] = null;
            _context.Unlock();
            return r;
        }

        // A free request, or null without waiting.
        public BlockRequest TryTake()
        {
            _context.Lock();
            BlockRequest r = null;
            if (_freeCount > 0)
            {
                r = _free[--_freeCount];
                _free[_freeCount] = null;
            }
            _context.Unlock();
            return r;
        }

        public void Put(BlockRequest r)
        {
            if (r == null) return;
            _context.Lock();
            _free[_freeCount++] = r;
            _waiters.WakeAll();
            _context.Unlock();
        }

        // The physical address of r's bounce page.
        public ulong BounceOf(BlockRequest r)
        {
            for (int i = 0; i < _all.Length; i++) if (_all[i] == r) return _bounce[i];
            return 0;
        }
    }
}

// An inode's block map (Linux's fs/ext2/inode.c: ext2_block_to_path, ext2_get_block, and
// ext2_truncate): file block n → disk block, through i_block's 12 direct entries, then the single
// (n < 12 + P), double (… + P²) and triple (… + P³) indirect trees, P = blockSize / 4 entries an
// indirect block. 0 is a hole at every level; a hole reads as zeros.
//
// A path is the list of indices from i_block down to the data block's entry (1 to 4 of them).
// Every block number read from the disk is checked against the file system's range (EUCLEAN and
// dmesg otherwise). Allocation fills the missing levels of one path top down, each new indirect
// block zeroed in the buffer cache before its parent points at it; Needed says beforehand how many
// blocks that takes, so that callers can refuse with ENOSPC before changing anything. FreeFrom
// (truncation) frees every data block at or past a file block and every indirect block left
// covering nothing, zeroing the entries that pointed at them.
using Kernel.Abi;
using Kernel.Mm;

namespace Kernel.Vfs.Ext2
{
    internal sealed unsafe partial class Ext2Inode
    {
        private uint _lastAllocated;

        // The path of file block n: its depth (1 direct … 4 triple indirect), 0 past the largest file.
        private int PathOf(ulong n, int* offsets)
        {
            ulong p = X.Ptrs;
            if (n < Ext2Const.DirectBlocks)
            {
                offsets[0] = (int)n;
                return 1;
            }
            n -= Ext2Const.DirectBlocks;
            if (n < p)
            {
                offsets[0] = Ext2Const.IndBlock;
                offsets[1] = (int)n;
                return 2;
            }
            n -= p;
            if (n < p * p)
            {
                offsets[0] = Ext2Const.DindBlock;
                offsets[1] = (int)(n / p);
                offsets[2] = (int)(n % p);
                return 3;
            }
            n -= p * p;
            if (n < p * p * p)
            {
                offsets[0] = Ext2Const.TindBlock;
                offsets[1] = (int)(n / (p * p));
                offsets[2] = (int)(n / p % p);
                offsets[3] = (int)(n % p);
                return 4;
            }
            return 0;
        }

        private Errno BadBlock(uint block) =>
            X.Corrupt(string.Concat("inode ", Number.ToString(), ": block number ", block.ToString(), " out of range"));

        // The disk block holding file block n (0: a hole). EFBIG past the largest file.
        internal Errno Map(ulong n, out uint disk)
        {
            disk = 0;
            int* off = stackalloc int[4];
            int depth = PathOf(n, off);
            if (depth == 0) return Errno.EFBIG;
            uint b = IBlock[off[0]];
            for (int level = 1; level < depth && b != 0; level++)
            {
                if (!X.ValidBlock(b)) return BadBlock(b);
                Errno e = X.Buffers.Get(b, out Buf buf);
                if (e != Errno.None) return e;
                b = Le.U32(buf.Data + 4 * off[level]);
                X.Buffers.Put(ref buf);
            }
            if (b != 0 && !X.ValidBlock(b)) return BadBlock(b);
            disk = b;
            return Errno.None;
        }

        // How many blocks mapping file block n would take now (0: it is mapped).
        internal Errno Needed(ulong n, out uint count)
        {
            count = 0;
            int* off = stackalloc int[4];
            int depth = PathOf(n, off);
            if (depth == 0) return Errno.EFBIG;
            uint b = IBlock[off[0]];
            int level = 1;
            for (; level < depth && b != 0; level++)
            {
                if (!X.ValidBlock(b)) return BadBlock(b);
                Errno e = X.Buffers.Get(b, out Buf buf);
                if (e != Errno.None) return e;
                b = Le.U32(buf.Data + 4 * off[level]);
                X.Buffers.Put(ref buf);
            }
            count = b != 0 ? 0u : (uint)(depth - level + 1);
            return Errno.None;
        }

        // Maps file block n, allocating what is missing on its path (the caller checked with Needed
        // that the blocks are there). disk: the data block, new or old; isNew says which.
        internal Errno Allocate(ulong n, out uint disk, out bool isNew)
        {
            disk = 0;
            isNew = false;
            int* off = stackalloc int[4];
            int depth = PathOf(n, off);
            if (depth == 0) return Errno.EFBIG;
            uint b = IBlock[off[0]];
            if (b == 0)
            {
                Errno e = NewBlock(Goal(), depth == 1, out b);
                if (e != Errno.None) return e;
                IBlock[off[0]] = b;
                isNew = depth == 1;
            }
            for (int level = 1; level < depth; level++)
            {
                if (!X.ValidBlock(b)) return BadBlock(b);
                Errno e = X.Buffers.Get(b, out Buf buf);
                if (e != Errno.None) return e;
                uint next = Le.U32(buf.Data + 4 * off[level]);
                if (next == 0)
                {
                    bool data = level == depth - 1;
                    e = NewBlock(Goal(), data, out next);
                    if (e != Errno.None)
                    {
                        X.Buffers.Put(ref buf);
                        return e;
                    }
                    Le.Put32(buf.Data + 4 * off[level], next);
                    X.Buffers.MarkDirty(buf);
                    isNew = data;
                }
                X.Buffers.Put(ref buf);
                b = next;
            }
            if (!X.ValidBlock(b)) return BadBlock(b);
            disk = b;
            return Errno.None;
        }

        // Where the next block should go: after the last one allocated, or at the start of the
        // inode's group.
        private uint Goal()
        {
            if (_lastAllocated != 0) return _lastAllocated + 1;
            uint g = (Number - 1) / X.Super.InodesPerGroup;
            return X.GroupFirst(g);
        }

        // A block for this inode: data, or an indirect block (zeroed in the buffer cache).
        private Errno NewBlock(uint goal, bool data, out uint block)
        {
            Errno e = X.AllocBlock(goal, out block);
            if (e != Errno.None) return e;
            _lastAllocated = block;
            IBlocks += X.BlockSize / 512;
            if (data) return Errno.None;
            e = X.Buffers.GetNew(block, out Buf buf);
            if (e != Errno.None) return e;
            X.Buffers.MarkDirty(buf);
            X.Buffers.Put(ref buf);
            return Errno.None;
        }

        private void Release(uint block)
        {
            X.FreeBlock(block);
            if (IBlocks >= X.BlockSize / 512) IBlocks -= X.BlockSize / 512;
        }

        // Frees the blocks of file blocks first and beyond (and indirect blocks left empty).
        internal Errno FreeFrom(ulong first)
        {
            Errno result = Errno.None;
            for (ulong i = first; i < Ext2Const.DirectBlocks; i++)
            {
                uint b = IBlock[i];
                if (b == 0) continue;
                IBlock[i] = 0;
                if (!X.ValidBlock(b)) { result = BadBlock(b); continue; }
                Release(b);
            }
            ulong start = Ext2Const.DirectBlocks, span = X.Ptrs;
            for (int depth = 1; depth <= 3; depth++, start += span, span *= X.Ptrs)
            {
                int slot = Ext2Const.DirectBlocks - 1 + depth;
                uint b = IBlock[slot];
                if (b == 0 || first >= start + span) continue;
                if (!X.ValidBlock(b))
                {
                    IBlock[slot] = 0;
                    result = BadBlock(b);
                    continue;
                }
                if (first <= start)
                {
                    IBlock[slot] = 0;
                    Errno e = FreeTree(b, depth);
                    if (result == Errno.None) result = e;
                }
                else
                {
                    Errno e = TruncateTree(b, depth, first - start, span / X.Ptrs);
                    if (result == Errno.None) result = e;
                }
            }
            _lastAllocated = 0;
            return result;
        }

        // Frees indirect block b (depth levels above the data) and everything below it.
        private Errno FreeTree(uint b, int depth)
        {
            Errno result = Errno.None;
            Errno e = X.Buffers.Get(b, out Buf buf);
            if (e != Errno.None) return e;
            for (uint k = 0; k < X.Ptrs; k++)
            {
                uint c = Le.U32(buf.Data + 4 * k);
                if (c == 0) continue;
                if (!X.ValidBlock(c)) { result = BadBlock(c); continue; }
                if (depth == 1) Release(c);
                else
                {
                    e = FreeTree(c, depth - 1);
                    if (result == Errno.None) result = e;
                }
            }
            X.Buffers.Put(ref buf);
            Release(b);
            return result;
        }

        // Keeps indirect block b, whose first `rel` file blocks stay; frees the rest below it.
        // childSpan: the file blocks each of its entries covers.
        private Errno TruncateTree(uint b, int depth, ulong rel, ulong childSpan)
        {
            Errno result = Errno.None;
            Errno e = X.Buffers.Get(b, out Buf buf);
            if (e != Errno.None) return e;
            for (ulong k = rel / childSpan; k < X.Ptrs; k++)
            {
                uint c = Le.U32(buf.Data + 4 * k);
                if (c == 0) continue;
                if (!X.ValidBlock(c))
                {
                    Le.Put32(buf.Data + 4 * k, 0);
                    X.Buffers.MarkDirty(buf);
                    result = BadBlock(c);
                    continue;
                }
                ulong within = rel - k * childSpan;
                if (depth > 1 && k == rel / childSpan && rel % childSpan != 0)
                    e = TruncateTree(c, depth - 1, within, childSpan / X.Ptrs);
                else
                {
                    Le.Put32(buf.Data + 4 * k, 0);
                    X.Buffers.MarkDirty(buf);
                    e = depth == 1 ? Errno.None : FreeTree(c, depth - 1);
                    if (depth == 1) Release(c);
                }
                if (result == Errno.None) result = e;
            }
            X.Buffers.Put(ref buf);
            return result;
        }
    }
}

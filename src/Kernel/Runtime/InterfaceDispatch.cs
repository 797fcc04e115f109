// Interface calls. ILC 10 emits a call through a dispatch cell {stub, cache}: the stub starts as
// RhpInitialDynamicInterfaceDispatch (Boot/arch.asm), which passes the object and the cell here.
// The cell's cache word holds a relative (flag 3), indirect relative (2) or absolute (1) pointer
// to the interface's MethodTable; cells come in runs ended by one with a null stub whose cache
// word holds the interface slot. The implementation is found in the dispatch maps of the object's
// type and its bases, then read from the object's own vtable (so overrides win) or from the
// sealed-slot table. Results are cached by (cell, type) in a direct-mapped table.
using System.Runtime;
using Internal.Runtime;
using Kernel.Arch;

namespace Kernel.Runtime
{
    internal static unsafe class InterfaceDispatch
    {
        private struct Cell { public nuint Stub; public nuint Cache; }
        private struct CacheEntry { public Cell* Cell; public MethodTable* Type; public nint Target; }

        private const int CacheSize = 1024; // power of two
        private static CacheEntry* s_cache;
        private static ulong s_misses;

        public static ulong Misses => s_misses;

        public static void Initialize() => s_cache = (CacheEntry*)Heap.AllocateRaw((nuint)(sizeof(CacheEntry) * CacheSize));

        [RuntimeExport("interface_dispatch_resolve")]
        private static nint Resolve(object obj, Cell* cell)
        {
            MethodTable* type = obj.GetMethodTable();
            // Interrupts off: an interrupt handler making an interface call could otherwise
            // rewrite the entry between our reads.
            Sys.Irq.Enter();
            CacheEntry* entry = s_cache + ((((nuint)cell >> 4) ^ ((nuint)type >> 3)) & (CacheSize - 1));
            nint target = entry->Cell == cell && entry->Type == type ? entry->Target : 0;
            if (target == 0)
            {
                s_misses++;
                target = Lookup(type, cell);
                entry->Cell = cell;
                entry->Type = type;
                entry->Target = target;
            }
            Sys.Irq.Exit();
            return target;
        }

        private static nint Lookup(MethodTable* type, Cell* cell)
        {
            nuint cache = cell->Cache;
            MethodTable* itf;
            switch (cache & 3)
            {
                case 1: itf = (MethodTable*)(cache & ~(nuint)3); break;
                case 3: itf = (MethodTable*)(((nuint)(&cell->Cache) + (nuint)(nint)(int)(uint)cache) & ~(nuint)3); break;
                case 2: itf = *(MethodTable**)(((nuint)(&cell->Cache) + (nuint)(nint)(int)(uint)cache) & ~(nuint)3); break;
                default: Panic.Fail("dispatch: unsupported interface dispatch cell"); return 0;
            }
            Cell* last = cell;
            while (last->Stub != 0) last++;
            ushort slot = (ushort)last->Cache;

            for (MethodTable* t = type; t != null; t = t->RelatedType)
            {
                DispatchMap* map = t->DispatchMap;
                if (map == null) continue;
                DispatchMapEntry* e = map->Entries;
                int count = map->StandardEntryCount + map->DefaultEntryCount;
                for (int i = 0; i < count; i++)
                {
                    if (e[i].InterfaceMethodSlot != slot || t->Interfaces[e[i].InterfaceIndex] != itf) continue;
                    int impl = e[i].ImplMethodSlot;
                    return impl < t->NumVtableSlots ? type->VTable[impl] : t->SealedVirtualSlot(impl - t->NumVtableSlots);
                }
            }
            Panic.Fail("dispatch: no implementation of an interface method");
            return 0;
        }
    }
}

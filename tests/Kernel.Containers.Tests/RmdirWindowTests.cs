// rmdir lets other tasks run every 256 frames it moves (ContainerHost.MayReschedule). While the
// container is half moved, those tasks fault pages in, break copy-on-write sharing of its frames,
// exit (uncharging frames it still holds), map and read its file, grow and truncate that file.
// At every window the accounting must be consistent, and at the end everything it held is the
// root's, with nothing lost or counted twice.
using System.Collections.Generic;
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Mm.Tests;
using Xunit;

namespace Kernel.Containers.Tests
{
    public unsafe class RmdirWindowTests
    {
        private const ulong FileVa = 0x2000_0000;

        private static FaultResult ReadFile(ContainerWorld w, FakeTask t, int page) =>
            Kernel.Mm.Tests.Cpu.Access(w.Vm, t.Mm, FileVa + ((ulong)page << 12), FaultAccess.Read, out byte* _);

        // Charged frames by Page.ContainerId, counted from the frame database.
        private static long Frames(ContainerWorld w, ushort id, PageFlags kind)
        {
            long n = 0;
            for (uint pfn = 0; pfn < w.Mm.Frames.Count; pfn++)
                if ((w.Vm.Pages[pfn].Flags & kind) != 0 && w.Vm.Pages[pfn].ContainerId == id) n++;
            return n;
        }

        [Fact]
        public void Tasks_running_between_batches_leave_the_accounting_exact()
        {
            using var w = new ContainerWorld(4096);
            w.Table.Create("r", out Container r);
            w.Table.Create("o", out Container o);
            FakeTask t1 = w.Spawn(), t2 = w.Spawn(), u = w.Spawn(), v = w.Spawn();
            w.Table.AddTask(r, t1.Pid.ToString());
            w.Table.AddTask(r, t2.Pid.ToString());
            w.Table.AddTask(o, v.Pid.ToString());
            for (int i = 0; i < 256; i++) Assert.Equal(FaultResult.Handled, w.Touch(t1, i));
            for (int i = 0; i < 256; i++) Assert.Equal(FaultResult.Handled, w.Touch(t2, i));
            FakeTask k = w.Spawn(t2, forkMm: true);   // in r, sharing t2's 256 pages
            PageCache file = PageCache.Create(w.Mm);
            file.Size = 64 * 4096;
            for (int i = 0; i < 40; i++) Assert.True(file.TryGetOrCreate((ulong)i, r, out uint _));
            Assert.Equal(Errno.None, t1.Mm.MapFile(FileVa, 64, Protection.Read | Protection.Write, file.Id, 0));
            Assert.Equal(Errno.None, u.Mm.MapFile(FileVa, 64, Protection.Read, file.Id, 0));
            for (int i = 0; i < 20; i++) Assert.Equal(FaultResult.Handled, ReadFile(w, t1, i));
            Assert.Equal(552, r.PageUsage);
            Assert.Equal(20, r.MappedPages);
            Assert.Equal(1, r.NumFiles);
            foreach (FakeTask t in new[] { t1, t2, k }) Assert.Equal(Errno.None, w.Table.RemoveTask(r, t.Pid.ToString()));
            w.AssertMemcheckOk();

            int window = 0;
            var seen = new List<string>();
            w.Host.OnReschedule = () =>
            {
                window++;
                w.AssertMemcheckOk();
                Assert.Equal(Errno.None, w.Table.Attributes.Show(r, "freeing", out string freeing));
                seen.Add(freeing);
                Assert.Same(r, w.Table.Find("r"));
                if (window == 1)
                {
                    // The first batch took t1's pages (the oldest, at the inactive tail).
                    Assert.Equal(256, w.Table.Root.AnonPages);
                    for (int i = 0; i < 10; i++) Assert.Equal(FaultResult.Handled, w.Touch(k, i));   // copies: the root pays
                    w.Exit(t1);                                 // frees 256 moved frames, unmaps 20 of r's
                    for (int i = 0; i < 5; i++) w.Touch(v, i);  // o pays
                    Assert.True(file.TryGetOrCreate(45, o, out uint _));   // the file is the root's now
                    Assert.Equal(FaultResult.Handled, ReadFile(w, u, 25));   // maps a frame r still holds
                    Assert.Equal(1, r.MappedPages);
                }
                if (window == 2)
                {
                    w.Exit(t2);                                 // k keeps the pages it shared
                    file.Truncate(30);                          // frees unmoved file pages of r and page 45
                }
                w.AssertMemcheckOk();
            };
            Assert.Equal(Errno.None, w.Table.Remove("r"));
            Assert.Equal(2, window);
            Assert.Equal(new[] { "1\n", "1\n" }, seen);

            Assert.Null(w.Table.Find("r"));
            Assert.Equal(0, r.AnonPages + r.FilePages + r.MappedPages + r.PageUsage + r.NumFiles);
            Assert.Equal(0, Frames(w, r.Id, PageFlags.Anon | PageFlags.File));
            Assert.Equal(0, w.Table.Charger.Bugs);
            Assert.Null(file.Container);
            Assert.Equal(1, w.Table.Root.NumFiles);
            Assert.Equal(1, w.Table.Root.MappedPages);          // page 25, mapped by u
            Assert.Equal(30, w.Table.Root.FilePages);
            Assert.Equal(256, w.Table.Root.AnonPages);          // k's: its 10 copies and the 246 it shared with t2
            Assert.Equal(Frames(w, 0, PageFlags.Anon), w.Table.Root.AnonPages);
            Assert.Equal(5, o.AnonPages);
            Assert.True(w.Table.Root.MaxPageUsage >= w.Table.Root.PageUsage);
            w.AssertMemcheckOk();

            // The id is free again and the next container gets it, with nothing charged to it.
            Assert.Equal(Errno.None, w.Table.Create("next", out Container next));
            Assert.Equal(r.Id, next.Id);
            Assert.Equal(0, next.PageUsage);

            foreach (FakeTask t in new[] { k, u, v }) w.Exit(t);
            file.Release();
            Assert.Equal(0, w.Table.Root.PageUsage + w.Table.Root.NumFiles + o.PageUsage);
            w.AssertMemcheckOk();
            Assert.Equal(w.Vm.FreeAtStart, w.Vm.Buddy.FreeFrames);
        }
    }
}

// Every counter a container shows, exact under random histories that also map files: anonymous
// faults and unmaps, fork (copy-on-write sharing of anonymous and page-cache frames), exit,
// addtask/rmtask, mkdir/rmdir, file writes, truncation (which unmaps what lies past the new end)
// and deletion (pages still mapped stay charged), private file mappings (a read maps the page-cache frame, a write copies it into an
// anonymous frame charged to the writer), page_limit writes, the over-limit work running, and
// max_page_usage resets.
//
// The reference model keeps one object per frame (who pays, how many PTEs map it, whether its page
// cache still holds it) and derives every counter from those: anon, file, mapped, usage, files,
// tasks; and tracks the event counters itself (peak usage, page_limit_hits, task_limit_hits, the
// over-limit work pending, queued and run). After each step the table must agree with the model
// exactly and memcheck must be clean; at the end every frame is back in the allocator.
using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Mm.Tests;
using Xunit;

namespace Kernel.Containers.Tests
{
    public unsafe class MappingPropertyTests
    {
        private const int AnonPages = 6;     // of each task's anonymous region
        private const int Slots = 2;         // files f0, f1 (each recreated after deletion)
        private const int FilePages = 4;     // pages of each file
        private const int Names = 3;         // containers c0..c2
        private const int MaxTasks = 8;
        private const long DefaultLimit = 6;
        private const ulong FileBase = 0x2000_0000;
        // The step kinds, each as often as it appears here: faults, addtask and file mappings
        // often, so that containers hold enough pages to hit limits and rmdir has charges to move.
        private static readonly Step[] Weights =
        {
            Step.NewTask, Step.NewTask, Step.Fork, Step.Fork, Step.WriteAnon, Step.WriteAnon, Step.WriteAnon, Step.WriteAnon, Step.ReadAnon, Step.ReadAnon, Step.UnmapAnon, Step.Exit, Step.AddTask, Step.AddTask, Step.AddTask, Step.RmTask, Step.Mkdir, Step.Mkdir, Step.Rmdir,
            Step.WriteFile, Step.WriteFile, Step.WriteFile, Step.TruncateOrDelete, Step.MapFile, Step.MapFile, Step.MapFile, Step.ReadMapping, Step.ReadMapping, Step.ReadMapping, Step.WriteMapping, Step.WriteMapping, Step.WriteMapping, Step.SetPageLimit, Step.RunOverLimitWork, Step.RunOverLimitWork, Step.ResetMaxUsage,
        };

        public enum Step { NewTask, Fork, WriteAnon, ReadAnon, UnmapAnon, Exit, AddTask, RmTask, Mkdir, Rmdir, WriteFile, TruncateOrDelete, MapFile, ReadMapping, WriteMapping, SetPageLimit, RunOverLimitWork, ResetMaxUsage }

        // One step of a history: its kind and two small numbers that pick the task, page, file,
        // container or value (printed as such when a history fails).
        public readonly record struct Op(Step Kind, int A, int B)
        {
            public override string ToString() => Kind + "(" + A + "," + B + ")";
        }

        private static ulong FileVa(int slot, int index) => FileBase + ((ulong)slot << 20) + ((ulong)index << 12);

        private sealed class Frame
        {
            public string Payer;     // container name, null = the root
            public bool File;
            public int Maps;         // PTEs mapping it
            public bool InCache;     // its page cache still holds it
        }

        // One generation of a file: created by the first write, gone at deletion.
        private sealed class FileGen
        {
            public PageCache Cache;
            public string Payer;
            public bool Charged;
            public bool Released;
            public readonly Frame[] Pages = new Frame[FilePages];
        }

        private sealed class Task
        {
            public FakeTask Real;
            public string In;
            public Frame[] Anon = new Frame[AnonPages];
            public FileGen[] Region = new FileGen[Slots];                       // the file a region maps
            public Frame[][] Mapped = { new Frame[FilePages], new Frame[FilePages] };   // what its PTEs map
        }

        private sealed class Counters
        {
            public long Limit = DefaultLimit, TaskLimit = Container.DefaultTaskLimit;
            public long Peak, Hits, TaskHits, Runs;
            public bool Pending;
        }

        private sealed class Model
        {
            public readonly List<Task> Tasks = new();
            public readonly FileGen[] Files = new FileGen[Slots];
            public readonly Dictionary<string, Counters> Live = new();   // name -> counters
            public readonly Counters Root = new() { Limit = long.MaxValue, TaskLimit = long.MaxValue };
            public int Queued;

            public Counters Of(string c) => c == null ? Root : Live[c];

            public IEnumerable<Frame> Frames()
            {
                var all = new HashSet<Frame>();
                foreach (Task t in Tasks)
                {
                    foreach (Frame f in t.Anon) if (f != null) all.Add(f);
                    foreach (Frame[] m in t.Mapped) foreach (Frame f in m) if (f != null) all.Add(f);
                }
                foreach (FileGen g in Files) if (g != null) foreach (Frame f in g.Pages) if (f != null) all.Add(f);
                return all;
            }

            public long Usage(string c) => Frames().Count(f => f.Payer == c);
            public int TasksIn(string c) => Tasks.Count(t => t.In == c);

            // A frame just became reachable in the model and is charged to c; `dying` is a frame
            // of c no longer reachable that the kernel frees only after this charge.
            public void Charge(string c, Frame dying = null)
            {
                Counters k = Of(c);
                long usage = Usage(c) + (dying != null && dying.Payer == c ? 1 : 0);
                if (usage > k.Peak) k.Peak = usage;
                if (usage > k.Limit)
                {
                    k.Hits++;
                    if (!k.Pending) { k.Pending = true; Queued++; }
                }
            }

            // The page `index` of gen, brought in by a task of `bringer` if absent.
            public Frame Bring(FileGen gen, int index, string bringer)
            {
                if (gen.Pages[index] != null) return gen.Pages[index];
                if (!gen.Charged) { gen.Charged = true; gen.Payer = bringer; }
                gen.Pages[index] = new Frame { Payer = gen.Payer, File = true, InCache = true };
                Charge(gen.Payer);
                return gen.Pages[index];
            }

            // A write by t to its PTE slot `slot` holding f (null: absent): an anonymous frame
            // mapped only here is made writable; anything else is copied into a new frame charged
            // to t's container, which replaces f in the slot (the copy is charged before f's
            // mapping is dropped, which may free f).
            public void Write(Task t, Frame[] slots, int slot)
            {
                Frame f = slots[slot];
                if (f != null && !f.File && f.Maps == 1) return;
                var copy = new Frame { Payer = t.In, Maps = 1 };
                slots[slot] = copy;
                bool dies = f != null && f.Maps == 1 && !f.InCache;
                Charge(t.In, dies ? f : null);
                if (f != null) f.Maps--;
            }
        }

        private static Container Find(ContainerWorld w, string name) => name == null ? null : w.Table.Find(name);

        private static void Run(Op[] ops)
        {
            using var w = new ContainerWorld(4096, DefaultLimit);
            var m = new Model();
            foreach (Op op in ops)
            {
                Step kind = op.Kind;
                int a = op.A, b = op.B;
                Task t = m.Tasks.Count == 0 ? null : m.Tasks[a % m.Tasks.Count];
                string name = "c" + b % Names;
                Container c = w.Table.Find(name);
                int slot = b % Slots, index = a % FilePages, page = b % AnonPages;
                switch (kind)
                {
                    case Step.NewTask:   // a new task, in no container
                        if (m.Tasks.Count < MaxTasks) m.Tasks.Add(new Task { Real = w.Spawn() });
                        break;

                    case Step.Fork:   // fork
                        if (t != null && m.Tasks.Count < MaxTasks)
                        {
                            FakeTask child = w.Spawn(t.Real, forkMm: true);
                            if (t.In != null && m.TasksIn(t.In) >= m.Of(t.In).TaskLimit)
                            {
                                Assert.Null(child);
                                m.Of(t.In).TaskHits++;
                                break;
                            }
                            Assert.NotNull(child);
                            var n = new Task { Real = child, In = t.In, Anon = (Frame[])t.Anon.Clone(), Region = (FileGen[])t.Region.Clone() };
                            for (int s = 0; s < Slots; s++) n.Mapped[s] = (Frame[])t.Mapped[s].Clone();
                            foreach (Frame f in n.Anon.Concat(n.Mapped.SelectMany(x => x))) if (f != null) f.Maps++;
                            m.Tasks.Add(n);
                        }
                        break;

                    case Step.WriteAnon:   // write an anonymous page
                    case Step.ReadAnon:   // read one
                        if (t != null)
                        {
                            Assert.Equal(FaultResult.Handled, w.Touch(t.Real, page, write: kind == Step.WriteAnon));
                            Frame f = t.Anon[page];
                            if (f == null)
                            {
                                t.Anon[page] = new Frame { Payer = t.In, Maps = 1 };
                                m.Charge(t.In);
                            }
                            else if (kind == Step.WriteAnon) m.Write(t, t.Anon, page);
                        }
                        break;

                    case Step.UnmapAnon:   // unmap an anonymous page
                        if (t != null)
                        {
                            ulong va = ContainerWorld.Base + ((ulong)page << 12);
                            Assert.Equal(Errno.None, t.Real.Mm.Unmap(va, 1));
                            Assert.Equal(Errno.None, t.Real.Mm.MapAnonymous(va, 1, Protection.Read | Protection.Write));
                            if (t.Anon[page] != null) t.Anon[page].Maps--;
                            t.Anon[page] = null;
                        }
                        break;

                    case Step.Exit:   // exit
                        if (t != null)
                        {
                            w.Exit(t.Real);
                            foreach (Frame f in t.Anon.Concat(t.Mapped.SelectMany(x => x))) if (f != null) f.Maps--;
                            m.Tasks.Remove(t);
                        }
                        break;

                    case Step.AddTask:   // addtask
                        if (t != null && c != null)
                        {
                            Errno want = t.In != null ? Errno.EBUSY : m.TasksIn(name) >= m.Of(name).TaskLimit ? Errno.ENOSPC : Errno.None;
                            Assert.Equal(want, w.Table.Attributes.Store(c, "addtask", t.Real.Pid + "\n"));
                            if (want == Errno.ENOSPC) m.Of(name).TaskHits++;
                            if (want == Errno.None) t.In = name;
                        }
                        break;

                    case Step.RmTask:   // rmtask
                        if (t != null && c != null)
                        {
                            Errno want = t.In == name ? Errno.None : Errno.EINVAL;
                            Assert.Equal(want, w.Table.Attributes.Store(c, "rmtask", t.Real.Pid.ToString()));
                            if (want == Errno.None) t.In = null;
                        }
                        break;

                    case Step.Mkdir:   // mkdir, now and then with a small task_limit
                        {
                            Errno want = m.Live.ContainsKey(name) ? Errno.EEXIST : Errno.None;
                            Assert.Equal(want, w.Table.Create(name, out Container made));
                            if (want != Errno.None) break;
                            m.Live[name] = new Counters();
                            if (a % 3 == 0)
                            {
                                Assert.Equal(Errno.None, w.Table.Attributes.Store(made, "task_limit", (a % 4) + "\n"));
                                m.Live[name].TaskLimit = a % 4;
                            }
                        }
                        break;

                    case Step.Rmdir:   // rmdir (half the time after rmtask of every PID showtasks lists): its charges go to the root
                        {
                            if (c != null && a % 2 == 0)
                            {
                                Assert.Equal(Errno.None, w.Table.Attributes.Show(c, "showtasks", out string listed));
                                int[] pids = m.Tasks.Where(x => x.In == name).Select(x => x.Real.Pid).OrderBy(x => x).ToArray();
                                Assert.Equal(string.Concat(pids.Select(x => x + "\n")), listed);
                                foreach (Task x in m.Tasks.Where(x => x.In == name))
                                {
                                    Assert.Equal(Errno.None, w.Table.Attributes.Store(c, "rmtask", x.Real.Pid + "\n"));
                                    x.In = null;
                                }
                            }
                            Errno want = !m.Live.ContainsKey(name) ? Errno.ENOENT : m.TasksIn(name) > 0 ? Errno.EBUSY : Errno.None;
                            Assert.Equal(want, w.Table.Remove(name));
                            if (want != Errno.None) break;
                            foreach (Frame f in m.Frames()) if (f.Payer == name) f.Payer = null;
                            foreach (FileGen g in m.Files) if (g != null && g.Payer == name) g.Payer = null;
                            m.Live.Remove(name);
                            m.Root.Peak = Math.Max(m.Root.Peak, m.Usage(null));
                        }
                        break;

                    case Step.WriteFile:  // write a page of a file, as t (or as no container)
                        {
                            FileGen g = m.Files[slot];
                            if (g == null)
                            {
                                g = m.Files[slot] = new FileGen { Cache = PageCache.Create(w.Mm) };
                                g.Cache.Size = FilePages * 4096;
                            }
                            string bringer = t?.In;
                            Assert.True(g.Cache.TryGetOrCreate((ulong)index, Find(w, bringer), out uint pfn));
                            Frame f = m.Bring(g, index, bringer);
                            Assert.Equal(m.Of(f.Payer) == m.Root ? 0 : w.Table.Find(f.Payer).Id, w.Vm.Pages[pfn].ContainerId);
                        }
                        break;

                    case Step.TruncateOrDelete:  // truncate a file (a odd) or delete it (a even)
                        {
                            FileGen g = m.Files[slot];
                            if (g == null) break;
                            int from = a % 2 == 1 ? index : 0;
                            if (a % 2 == 1)
                            {
                                g.Cache.Truncate((ulong)from);
                                // Truncation unmaps every mapping past the new end, page-cache
                                // frames and private copies alike (Linux's truncate_pagecache).
                                foreach (Task u in m.Tasks)
                                    if (u.Region[slot] == g)
                                        for (int i = from; i < FilePages; i++)
                                        {
                                            if (u.Mapped[slot][i] != null) u.Mapped[slot][i].Maps--;
                                            u.Mapped[slot][i] = null;
                                        }
                            }
                            else
                            {
                                g.Cache.Release();
                                g.Released = true;
                                m.Files[slot] = null;
                            }
                            for (int i = from; i < FilePages; i++)
                            {
                                if (g.Pages[i] != null) g.Pages[i].InCache = false;
                                g.Pages[i] = null;
                            }
                        }
                        break;

                    case Step.MapFile:  // map a file privately into t
                        if (t != null && t.Region[slot] == null && m.Files[slot] != null)
                        {
                            FileGen g = m.Files[slot];
                            Assert.Equal(Errno.None, t.Real.Mm.MapFile(FileVa(slot, 0), FilePages, Protection.Read | Protection.Write, g.Cache.Id, 0));
                            t.Region[slot] = g;
                        }
                        break;

                    case Step.ReadMapping:  // read a page of a file mapping
                    case Step.WriteMapping:  // write one
                        if (t != null && t.Region[slot] != null)
                        {
                            FileGen g = t.Region[slot];
                            Frame f = t.Mapped[slot][index];
                            FaultResult r = Kernel.Mm.Tests.Cpu.Access(w.Vm, t.Real.Mm, FileVa(slot, index),
                                kind == Step.WriteMapping ? FaultAccess.Write : FaultAccess.Read, out byte* _);
                            if (f == null && g.Released)
                            {
                                Assert.Equal(FaultResult.SegmentationFault, r);   // the file is gone
                                break;
                            }
                            Assert.Equal(FaultResult.Handled, r);
                            if (kind == Step.ReadMapping)
                            {
                                if (f != null) break;
                                f = m.Bring(g, index, t.In);
                                f.Maps++;
                                t.Mapped[slot][index] = f;
                                break;
                            }
                            if (f == null) m.Bring(g, index, t.In);   // brought in, then copied
                            m.Write(t, t.Mapped[slot], index);
                        }
                        break;

                    case Step.SetPageLimit:  // write page_limit
                        if (c != null)
                        {
                            long limit = a % 16;
                            Assert.Equal(Errno.None, w.Table.Attributes.Store(c, "page_limit", limit + "\n"));
                            Counters k = m.Of(name);
                            k.Limit = limit;
                            if (m.Usage(name) > limit)
                            {
                                k.Hits++;
                                if (!k.Pending) { k.Pending = true; m.Queued++; }
                            }
                        }
                        break;

                    case Step.RunOverLimitWork:  // the workqueue runs a container's over-limit work
                        if (c != null && m.Of(name).Pending)
                        {
                            Assert.Same(c, w.Host.Queued.Last(q => q.Name == name));
                            w.Table.RunOverLimit(c);
                            m.Of(name).Pending = false;
                            m.Of(name).Runs++;
                        }
                        break;

                    case Step.ResetMaxUsage:  // echo 0 > max_page_usage
                        if (c != null)
                        {
                            Assert.Equal(Errno.None, w.Table.Attributes.Store(c, "max_page_usage", "0\n"));
                            m.Of(name).Peak = m.Usage(name);
                        }
                        break;
                }
                Check(w, m);
            }
            foreach (Task t in m.Tasks) w.Exit(t.Real);
            foreach (FileGen g in m.Files) g?.Cache.Release();
            for (int i = 0; i < Names; i++) w.Table.Remove("c" + i);
            Assert.Equal(0, w.Table.Root.PageUsage + w.Table.Root.MappedPages + w.Table.Root.NumFiles);
            w.AssertMemcheckOk();
            Assert.Equal(w.Vm.FreeAtStart, w.Vm.Buddy.FreeFrames);
        }

        private static void Check(ContainerWorld w, Model m)
        {
            Frame[] frames = m.Frames().ToArray();
            Assert.Equal(m.Live.Count, w.Table.Count);
            foreach (Container k in new[] { w.Table.Root }.Concat(Enumerable.Range(0, w.Table.Count).Select(w.Table.At)))
            {
                string key = k.IsRoot ? null : k.Name;
                Counters want = m.Of(key);
                string who = key ?? "root";
                Assert.True(frames.Count(f => !f.File && f.Payer == key) == k.AnonPages, who + " num_anon_pages");
                Assert.True(frames.Count(f => f.File && f.Payer == key) == k.FilePages, who + " num_file_pages");
                Assert.True(frames.Count(f => f.File && f.Maps > 0 && f.Payer == key) == k.MappedPages, who + " num_mapped_pages");
                Assert.True(frames.Count(f => f.Payer == key) == k.PageUsage, who + " page_usage");
                Assert.True(m.Files.Count(g => g != null && g.Charged && g.Payer == key) == k.NumFiles, who + " num_files");
                Assert.True(want.Peak == k.MaxPageUsage, who + " max_page_usage " + k.MaxPageUsage + ", model " + want.Peak);
                Assert.True(want.Hits == k.PageLimitHits, who + " page_limit_hits " + k.PageLimitHits + ", model " + want.Hits);
                Assert.True(want.Pending == k.OverLimitPending, who + " over-limit pending");
                Assert.True(want.Runs == k.OverLimitRuns, who + " over-limit runs");
                if (k.IsRoot) continue;
                Assert.True(m.TasksIn(key) == k.NumTasks, who + " num_tasks");
                Assert.True(want.TaskHits == k.TaskLimitHits, who + " task_limit_hits");
                Assert.True(want.Limit == k.PageLimit, who + " page_limit");
            }
            Assert.Equal(m.Queued, w.Host.Queued.Count);
            Assert.Equal(0, w.Table.Charger.Bugs);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Random_histories_with_file_mappings_and_limits_keep_every_counter_exact()
        {
            Gen.Select(Gen.Int[0, Weights.Length - 1], Gen.Int[0, 63], Gen.Int[0, 63], (k, a, b) => new Op(Weights[k], a, b))
                .Array[1, 200].Sample(ops => Run(ops), iter: 300);
        }

        // A history that walks through each kind of step once, so that a model that forgot a
        // step would fail here too (and the property's sampling cannot silently skip it).
        [Fact]
        public void A_scripted_history_through_every_step()
        {
            Run(new[]
            {
                new Op(Step.Mkdir, 1, 0),    // mkdir c0 (limit 6, task_limit 100)
                new Op(Step.NewTask, 0, 0), new Op(Step.NewTask, 0, 0),   // tasks 0, 1
                new Op(Step.AddTask, 0, 0),    // task 0 -> c0
                new Op(Step.WriteFile, 1, 0),   // task 1 (root) writes page 1 of f0: the root pays for the file
                new Op(Step.WriteFile, 0, 0),   // task 0 writes page 0 of f0: still the root's file
                new Op(Step.WriteFile, 0, 1),   // task 0 writes page 0 of f1: c0 pays for f1
                new Op(Step.MapFile, 0, 1),   // task 0 maps f1
                new Op(Step.ReadMapping, 1, 1),   // reads its page 1: brought in, charged to c0, mapped
                new Op(Step.WriteMapping, 2, 1),   // writes page 2: brought in (c0), copied (c0)
                new Op(Step.WriteMapping, 1, 1),   // writes page 1: the mapped cache frame is replaced by a copy
                new Op(Step.Fork, 0, 0),    // fork task 0 (child in c0)
                new Op(Step.WriteAnon, 0, 0), new Op(Step.ReadAnon, 0, 1), new Op(Step.WriteAnon, 2, 0),   // anon pages, copy-on-write
                new Op(Step.SetPageLimit, 2, 0),   // page_limit 2: below usage
                new Op(Step.RunOverLimitWork, 0, 0),   // the work runs
                new Op(Step.WriteAnon, 0, 2),    // over the limit again: queued again
                new Op(Step.ResetMaxUsage, 0, 0),   // max_page_usage reset
                new Op(Step.TruncateOrDelete, 1, 1),   // truncate f1 from page 1
                new Op(Step.TruncateOrDelete, 0, 1),   // delete f1 (mapped pages stay charged)
                new Op(Step.ReadMapping, 3, 1),   // task 0's read of an absent page of the deleted file: SIGSEGV
                new Op(Step.Exit, 0, 0),    // exit task 0
                new Op(Step.RmTask, 0, 0),    // rmtask (EINVAL or not in it)
                new Op(Step.Rmdir, 0, 0),    // rmdir c0 (EBUSY while the child lives, else moves to the root)
                new Op(Step.Exit, 0, 0), new Op(Step.Exit, 0, 0), new Op(Step.Exit, 0, 0),
                new Op(Step.Rmdir, 0, 0),
            });
        }
    }
}

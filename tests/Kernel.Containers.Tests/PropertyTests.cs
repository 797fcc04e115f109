// Charge bookkeeping under random sequences of fault / unmap / fork / exit / addtask / rmtask /
// mkdir / rmdir / file write / file delete, against a reference model: page-sized "frames" with the
// container that pays for each and the mappings that share them (copy-on-write as Kernel.Mm does:
// a write to a shared frame copies it, charged to the writer; to an unshared one reuses it). After
// every step each container's counters equal the model's and memcheck is clean; at the end every
// frame is back in the allocator.
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
    public class PropertyTests
    {
        private const int Pages = 8;      // pages per task (of its 256-page region)
        private const int Names = 4;      // container names c0..c3
        private const int Files = 3;

        private sealed class ModelFrame { public string Payer; public int Maps; }

        private sealed class Model
        {
            public readonly Dictionary<int, ModelFrame[]> Mapped = new();   // pid -> page -> frame
            public readonly Dictionary<int, string> TaskIn = new();          // pid -> container or null
            public readonly Dictionary<int, (string payer, bool charged, HashSet<int> pages)> Files = new();
            public readonly HashSet<string> Live = new();

            public IEnumerable<ModelFrame> AllAnon() => Mapped.Values.SelectMany(p => p).Where(f => f != null).Distinct();

            public long Anon(string c) => AllAnon().Count(f => f.Payer == c);
            public long File(string c) => Files.Values.Where(f => f.payer == c).Sum(f => (long)f.pages.Count);
            public long NumFiles(string c) => Files.Values.Count(f => f.charged && f.payer == c);
            public int Tasks(string c) => TaskIn.Values.Count(v => v == c);

            public void Reparent(string c)
            {
                foreach (ModelFrame f in AllAnon()) if (f.Payer == c) f.Payer = null;
                foreach (int k in Files.Keys.ToList())
                    if (Files[k].payer == c) Files[k] = (null, Files[k].charged, Files[k].pages);
            }
        }

        public enum Step { NewTask, Fork, Write, Read, Unmap, Exit, AddTask, RmTask, Mkdir, Rmdir, WriteFile }

        public readonly record struct Op(Step Kind, int A, int B)
        {
            public override string ToString() => Kind + "(" + A + "," + B + ")";
        }

        private static void Run(Op[] ops)
        {
            using var w = new ContainerWorld(4096, pageLimit: 20);
            var model = new Model();
            var tasks = new List<FakeTask>();
            var caches = new Dictionary<int, PageCache>();
            foreach (Op op in ops)
            {
                Step kind = op.Kind;
                int a = op.A, b = op.B;
                FakeTask t = tasks.Count == 0 ? null : tasks[a % tasks.Count];
                string name = "c" + (b % Names);
                Container c = w.Table.Find(name);
                switch (kind)
                {
                    case Step.NewTask:   // spawn a new task in no container
                        if (tasks.Count < 12)
                        {
                            FakeTask n = w.Spawn();
                            tasks.Add(n);
                            model.Mapped[n.Pid] = new ModelFrame[Pages];
                            model.TaskIn[n.Pid] = null;
                        }
                        break;
                    case Step.Fork:   // fork
                        if (t != null && tasks.Count < 12)
                        {
                            FakeTask child = w.Spawn(t, forkMm: true);
                            string cin = model.TaskIn[t.Pid];
                            if (cin != null && model.Tasks(cin) >= w.Table.Find(cin).TaskLimit)
                            {
                                Assert.Null(child);
                                break;
                            }
                            Assert.NotNull(child);
                            tasks.Add(child);
                            ModelFrame[] pages = (ModelFrame[])model.Mapped[t.Pid].Clone();
                            foreach (ModelFrame f in pages) if (f != null) f.Maps++;
                            model.Mapped[child.Pid] = pages;
                            model.TaskIn[child.Pid] = cin;
                        }
                        break;
                    case Step.Write:   // write a page
                    case Step.Read:   // read a page
                        if (t != null)
                        {
                            int page = b % Pages;
                            Assert.Equal(FaultResult.Handled, w.Touch(t, page, write: kind == Step.Write));
                            ModelFrame[] pages = model.Mapped[t.Pid];
                            ModelFrame f = pages[page];
                            if (f == null) pages[page] = new ModelFrame { Payer = model.TaskIn[t.Pid], Maps = 1 };
                            else if (kind == Step.Write && f.Maps > 1)
                            {
                                f.Maps--;
                                pages[page] = new ModelFrame { Payer = model.TaskIn[t.Pid], Maps = 1 };
                            }
                        }
                        break;
                    case Step.Unmap:   // unmap a page
                        if (t != null)
                        {
                            int page = b % Pages;
                            Assert.Equal(Errno.None, t.Mm.Unmap(ContainerWorld.Base + ((ulong)page << 12), 1));
                            Assert.Equal(Errno.None, t.Mm.MapAnonymous(ContainerWorld.Base + ((ulong)page << 12), 1, Protection.Read | Protection.Write));
                            ModelFrame f = model.Mapped[t.Pid][page];
                            if (f != null) f.Maps--;
                            model.Mapped[t.Pid][page] = null;
                        }
                        break;
                    case Step.Exit:   // exit
                        if (t != null)
                        {
                            w.Exit(t);
                            tasks.Remove(t);
                            foreach (ModelFrame f in model.Mapped[t.Pid]) if (f != null) f.Maps--;
                            model.Mapped.Remove(t.Pid);
                            model.TaskIn.Remove(t.Pid);
                        }
                        break;
                    case Step.AddTask:   // addtask
                        if (t != null && c != null)
                        {
                            Errno e = w.Table.AddTask(c, t.Pid.ToString());
                            Errno want = model.TaskIn[t.Pid] != null ? Errno.EBUSY : model.Tasks(name) >= c.TaskLimit ? Errno.ENOSPC : Errno.None;
                            Assert.Equal(want, e);
                            if (e == Errno.None) model.TaskIn[t.Pid] = name;
                        }
                        break;
                    case Step.RmTask:   // rmtask
                        if (t != null && c != null)
                        {
                            Errno e = w.Table.RemoveTask(c, t.Pid.ToString());
                            Assert.Equal(model.TaskIn[t.Pid] == name ? Errno.None : Errno.EINVAL, e);
                            if (e == Errno.None) model.TaskIn[t.Pid] = null;
                        }
                        break;
                    case Step.Mkdir:   // mkdir, with a small task_limit now and then
                        {
                            Errno e = w.Table.Create(name, out Container made);
                            Assert.Equal(model.Live.Contains(name) ? Errno.EEXIST : Errno.None, e);
                            if (e == Errno.None)
                            {
                                model.Live.Add(name);
                                if (a % 3 == 0) made.TaskLimit = a % 4;
                            }
                        }
                        break;
                    case Step.Rmdir:   // rmdir
                        {
                            Errno e = w.Table.Remove(name);
                            Errno want = !model.Live.Contains(name) ? Errno.ENOENT : model.Tasks(name) > 0 ? Errno.EBUSY : Errno.None;
                            Assert.Equal(want, e);
                            if (e == Errno.None)
                            {
                                model.Live.Remove(name);
                                model.Reparent(name);
                            }
                        }
                        break;
                    case Step.WriteFile:  // write a page of a file as task t (delete it when a says so)
                        {
                            int file = b % Files;
                            if (a % 4 == 0 && caches.TryGetValue(file, out PageCache gone))
                            {
                                gone.Release();
                                caches.Remove(file);
                                model.Files.Remove(file);
                                break;
                            }
                            if (!caches.TryGetValue(file, out PageCache cache))
                            {
                                cache = PageCache.Create(w.Mm);
                                caches[file] = cache;
                                model.Files[file] = (null, false, new HashSet<int>());
                            }
                            string bringer = t == null ? null : model.TaskIn[t.Pid];
                            int index = a % 5;
                            Assert.True(cache.TryGetOrCreate((ulong)index, bringer == null ? null : w.Table.Find(bringer), out uint _));
                            var m = model.Files[file];
                            if (!m.charged) m = (bringer, true, m.pages);
                            m.pages.Add(index);
                            model.Files[file] = m;
                        }
                        break;
                }
                // Every counter agrees with the model, and memcheck with the frames.
                foreach (Container k in new[] { w.Table.Root }.Concat(Enumerable.Range(0, w.Table.Count).Select(w.Table.At)))
                {
                    string key = k.IsRoot ? null : k.Name;
                    Assert.Equal(model.Anon(key), k.AnonPages);
                    Assert.Equal(model.File(key), k.FilePages);
                    Assert.Equal(model.Anon(key) + model.File(key), k.PageUsage);
                    Assert.Equal(model.NumFiles(key), k.NumFiles);
                    if (!k.IsRoot)
                    {
                        Assert.Equal(model.Tasks(key), k.NumTasks);
                        Assert.True(k.PageLimitHits >= 0 && k.MaxPageUsage >= k.PageUsage);
                    }
                }
                w.AssertMemcheckOk();
            }
            foreach (FakeTask t in tasks) w.Exit(t);
            foreach (PageCache cache in caches.Values) cache.Release();
            for (int i = 0; i < Names; i++) w.Table.Remove("c" + i);
            Assert.Equal(0, w.Table.Root.PageUsage);
            Assert.Equal(0, w.Table.Root.NumFiles);
            w.AssertMemcheckOk();
            // The mms' table pages are gone too: every frame is back.
            Assert.Equal(w.Vm.FreeAtStart, w.Vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Random_histories_keep_every_counter_equal_to_the_model()
        {
            Gen.Select(Gen.Int[0, 10], Gen.Int[0, 63], Gen.Int[0, 63], (k, a, b) => new Op((Step)k, a, b))
                .Array[1, 120].Sample(ops => Run(ops), iter: 300);
        }
    }
}

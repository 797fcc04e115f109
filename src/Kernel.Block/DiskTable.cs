// The disks the drivers found, in the order they registered (ATA in probe order, then virtio in
// PCI slot order), and Linux's naming rule for them: a prefix and a letter index, sda … sdz,
// sdaa … (as sd_format_disk_name). Filled at boot, read afterwards; never shrinks.
namespace Kernel.Block
{
    public sealed class DiskTable
    {
        private BlockDevice[] _disks = new BlockDevice[4];
        private int _count;

        public int Count => _count;
        public BlockDevice At(int index) => index >= 0 && index < _count ? _disks[index] : null;

        public void Add(BlockDevice disk)
        {
            if (_count == _disks.Length)
            {
                BlockDevice[] bigger = new BlockDevice[_count * 2];
                for (int i = 0; i < _count; i++) bigger[i] = _disks[i];
                _disks = bigger;
            }
            _disks[_count++] = disk;
        }

        public bool TryFind(string name, out BlockDevice disk)
        {
            for (int i = 0; i < _count; i++)
                if (_disks[i].Name == name) { disk = _disks[i]; return true; }
            disk = null;
            return false;
        }

        // "sd" + 0 → "sda", 25 → "sdz", 26 → "sdaa", 701 → "sdzz", 702 → "sdaaa".
        public static string DiskName(string prefix, int index)
        {
            string letters = "";
            int n = index;
            while (true)
            {
                letters = string.Concat(new string((char)('a' + n % 26), 1), letters);
                n = n / 26 - 1;
                if (n < 0) break;
            }
            return string.Concat(prefix, letters);
        }
    }
}

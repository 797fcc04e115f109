// Error numbers come from Kernel.Abi, the layer below everything (see src/Kernel.Abi/Errno.cs).
global using Kernel.Abi;

using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Midrc.Orchestrator.Hosting;

/// <summary>
/// The memory Kestrel reads connections into, in 64 KB blocks instead of its own 4 KB ones. Kestrel asks the socket
/// for at most one block per receive call, so with 4 KB blocks a 500 KB CT slice took about 130 system calls (and as
/// many trips through the pipe and the request stream) on its way to the quarantine store; with 64 KB blocks it takes
/// about 8. The blocks are pinned (sockets read into them asynchronously) and reused; at most
/// <see cref="MaxRetainedBlocks"/> are kept for reuse, so memory returns to the system after a burst of uploads.
/// </summary>
public sealed class ReceiveBlocks : IMemoryPoolFactory<byte>
{
    public const int BlockSize = 64 * 1024;
    public const int MaxRetainedBlocks = 256;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new Pool();

    private sealed class Pool : MemoryPool<byte>
    {
        private readonly ConcurrentStack<Block> _free = new();
        private int _freeCount;

        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
            if (_free.TryPop(out var block))
            {
                Interlocked.Decrement(ref _freeCount);
                return block;
            }
            return new Block(this);
        }

        internal void Return(Block block)
        {
            if (Interlocked.Increment(ref _freeCount) <= MaxRetainedBlocks)
            {
                _free.Push(block);
            }
            else
            {
                Interlocked.Decrement(ref _freeCount);
            }
        }

        protected override void Dispose(bool disposing) => _free.Clear();
    }

    private sealed class Block(Pool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length);

        public void Dispose() => pool.Return(this);
    }
}

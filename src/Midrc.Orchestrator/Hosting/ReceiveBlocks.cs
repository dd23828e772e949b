using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Midrc.Orchestrator.Hosting;

/// <summary>
/// The memory Kestrel reads connections into, in 64 KB blocks instead of its own 4 KB ones. Kestrel asks the socket
/// for at most one block per receive call, so with 4 KB blocks a 500 KB CT slice took about 130 system calls (and as
/// many trips through the pipe and the request stream) on its way to the quarantine store; with 64 KB blocks it takes
/// about 8. The blocks are pinned (sockets read into them asynchronously) and reused. Kestrel makes one pool per I/O
/// queue; they all keep their free blocks here, at most <see cref="MaxRetainedBlocks"/> (16 MB), and blocks returned
/// beyond that are left to the garbage collector, so a burst of uploads does not keep its memory.
/// </summary>
public sealed class ReceiveBlocks : IMemoryPoolFactory<byte>
{
    public const int BlockSize = 64 * 1024;
    public const int MaxRetainedBlocks = 256;

    private readonly ConcurrentStack<Block> _free = new();
    private int _freeCount;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new Pool(this);

    private Block Rent()
    {
        if (_free.TryPop(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
        }
        else
        {
            block = new Block(this);
        }
        block.InUse = 1;
        return block;
    }

    private void Return(Block block)
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

    private sealed class Pool(ReceiveBlocks blocks) : MemoryPool<byte>
    {
        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
            return blocks.Rent();
        }

        // The blocks outlive the pool: they are the factory's, for the other pools.
        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class Block(ReceiveBlocks blocks) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        /// <summary>1 while rented: a second Dispose must not hand the same memory to two renters.</summary>
        public int InUse;

        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref InUse, 0) == 1)
            {
                blocks.Return(this);
            }
        }
    }
}

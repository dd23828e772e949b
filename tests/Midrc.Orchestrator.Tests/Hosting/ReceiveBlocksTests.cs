using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Hosting;

/// <summary>The blocks Kestrel reads connections into: 64 KB, pinned, reused, and not hoarded.</summary>
public sealed class ReceiveBlocksTests
{
    [Fact]
    public void The_host_reads_connections_into_its_large_blocks()
    {
        using var factory = new OrchestratorFactory();

        factory.Services.GetRequiredService<IMemoryPoolFactory<byte>>().ShouldBeOfType<ReceiveBlocks>();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(ReceiveBlocks.BlockSize)]
    public void Every_block_is_64_KB_whatever_is_asked_for_up_to_that(int size)
    {
        using var pool = new ReceiveBlocks().Create();
        using var block = pool.Rent(size);

        block.Memory.Length.ShouldBe(ReceiveBlocks.BlockSize);
        pool.MaxBufferSize.ShouldBe(ReceiveBlocks.BlockSize);
    }

    [Fact]
    public void More_than_a_block_is_refused()
    {
        using var pool = new ReceiveBlocks().Create();

        Should.Throw<ArgumentOutOfRangeException>(() => pool.Rent(ReceiveBlocks.BlockSize + 1));
    }

    [Fact]
    public void A_block_is_pinned_so_a_socket_may_read_into_it_while_the_collector_runs()
    {
        using var pool = new ReceiveBlocks().Create();
        using var block = pool.Rent();

        MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment).ShouldBeTrue();
        // 64 KB is below the large object threshold: an array of this size that is not on the pinned object heap
        // would be new (generation 0) here.
        GC.GetGeneration(segment.Array!).ShouldBe(GC.MaxGeneration);
    }

    [Fact]
    public void Returned_blocks_are_handed_out_again_but_no_more_than_the_limit_are_kept()
    {
        using var pool = new ReceiveBlocks().Create();
        var burst = Enumerable.Range(0, ReceiveBlocks.MaxRetainedBlocks + 50).Select(_ => pool.Rent()).ToList();
        var first = burst.Select(Array).ToHashSet(ReferenceEqualityComparer.Instance);
        burst.ForEach(b => b.Dispose());

        var again = Enumerable.Range(0, ReceiveBlocks.MaxRetainedBlocks + 50).Select(_ => pool.Rent()).ToList();

        again.Count(b => first.Contains(Array(b))).ShouldBe(ReceiveBlocks.MaxRetainedBlocks);
        again.ForEach(b => b.Dispose());
    }

    private static byte[] Array(IMemoryOwner<byte> block) =>
        MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");
}

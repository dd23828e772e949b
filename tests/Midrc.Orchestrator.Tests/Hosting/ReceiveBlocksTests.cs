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
    public void Returned_blocks_are_handed_out_again_by_every_pool_but_no_more_than_the_limit_are_kept()
    {
        var blocks = new ReceiveBlocks();
        using var first = blocks.Create();
        using var second = blocks.Create();
        var burst = Enumerable.Range(0, ReceiveBlocks.MaxRetainedBlocks + 50).Select(_ => first.Rent()).ToList();
        var arrays = burst.Select(Array).ToHashSet(ReferenceEqualityComparer.Instance);
        burst.ForEach(b => b.Dispose());

        var again = Enumerable.Range(0, ReceiveBlocks.MaxRetainedBlocks + 50).Select(_ => second.Rent()).ToList();

        again.Count(b => arrays.Contains(Array(b))).ShouldBe(ReceiveBlocks.MaxRetainedBlocks);
        again.ForEach(b => b.Dispose());
    }

    [Fact]
    public void A_block_disposed_twice_goes_to_one_renter_only()
    {
        using var pool = new ReceiveBlocks().Create();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();

        using var one = pool.Rent();
        using var other = pool.Rent();

        Array(one).ShouldNotBeSameAs(Array(other), "two requests reading into the same memory would see each other's bytes");
    }

    private static byte[] Array(IMemoryOwner<byte> block) =>
        MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");
}

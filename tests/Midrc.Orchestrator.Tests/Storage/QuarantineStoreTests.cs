using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Storage;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Storage;

public sealed class QuarantineStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private FileQuarantineStore NewStore() => new(Options.Create(new MidrcOptions { DataFolder = _folder.Path }));

    [Fact]
    public async Task PutAsync_StoresIdenticalBytesOnce_WhenSentTwice()
    {
        var store = NewStore();
        var bytes = RandomNumberGenerator.GetBytes(300_000);

        var first = await store.PutAsync(new MemoryStream(bytes), CancellationToken.None);
        var second = await store.PutAsync(new MemoryStream(bytes), CancellationToken.None);

        first.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(bytes)));
#pragma warning disable CA5351 // MD5 is what data commons manifests ask for, not a security measure.
        first.Md5.ShouldBe(Convert.ToHexStringLower(MD5.HashData(bytes)));
#pragma warning restore CA5351
        first.SizeBytes.ShouldBe(bytes.Length);
        first.AlreadyPresent.ShouldBeFalse();
        second.AlreadyPresent.ShouldBeTrue();
        second.StorageKey.ShouldBe(first.StorageKey);
        Directory.GetFiles(Path.Combine(_folder.Path, "quarantine"), "*", SearchOption.AllDirectories)
            .Count(f => !f.Contains(".incoming", StringComparison.Ordinal)).ShouldBe(1);
        await using var read = store.OpenRead(first.Sha256);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        copy.ToArray().ShouldBe(bytes);
    }

    [Fact]
    public async Task PutAsync_LeavesNothingBehind_WhenTheUploadIsCancelled()
    {
        var store = NewStore();
        using var cts = new CancellationTokenSource();
        var stream = new CancellingStream(cts);

        await Should.ThrowAsync<OperationCanceledException>(() => store.PutAsync(stream, cts.Token));

        Directory.GetFiles(Path.Combine(_folder.Path, "quarantine"), "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task PutAsync_StoresNothing_WhenTheBytesDoNotHashToWhatTheSenderSays()
    {
        var store = NewStore();
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        var expected = Convert.ToHexStringLower(SHA256.HashData(RandomNumberGenerator.GetBytes(10)));

        var mismatch = await Should.ThrowAsync<DigestMismatchException>(() => store.PutAsync(new MemoryStream(bytes), CancellationToken.None, expected));

        mismatch.Received.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(bytes)));
        mismatch.Expected.ShouldBe(expected);
        store.Contains(mismatch.Received).ShouldBeFalse();
        Directory.GetFiles(Path.Combine(_folder.Path, "quarantine"), "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public void PathOf_RefusesKeysThatAreNotHashes()
    {
        Should.Throw<ArgumentException>(() => NewStore().PathOf("../../etc/passwd"));
    }

    /// <summary>Delivers some bytes, then cancels, as a client that drops mid-upload.</summary>
    private sealed class CancellingStream(CancellationTokenSource cts) : MemoryStream(new byte[200_000])
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position > 100_000)
            {
                await cts.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }
            return await base.ReadAsync(buffer, cancellationToken);
        }
    }
}

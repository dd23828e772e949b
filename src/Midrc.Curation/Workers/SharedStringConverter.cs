using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Midrc.Curation.Workers;

/// <summary>
/// Reads short JSON strings through a small cache, so the values that repeat from file to file (study and series UIDs,
/// modality, patient pseudonym, rule ids, fix hints) become one string each instead of one per file. A folder of 10,000
/// files then costs the pool a fraction of the allocations, and the results it keeps take less memory.
/// </summary>
/// <remarks>
/// The cache is direct-mapped and bounded: a slot holds the last string that hashed to it, so values seen once (SOP
/// Instance UIDs) only evict, never accumulate. Slots are swapped whole, so readers on several threads may miss a hit
/// but never see a torn entry.
/// </remarks>
internal sealed class SharedStringConverter : JsonConverter<string>
{
    private const int Slots = 4096;

    // Longer values (paths, messages, settings) are rarely repeated; they are read as usual.
    private const int MaxCachedBytes = 512;

    private readonly Entry?[] _entries = new Entry?[Slots];

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueSpan.Length > MaxCachedBytes)
        {
            return reader.GetString();
        }
        // Multi-valued attributes (orientation, pixel spacing, image type) arrive with their backslashes escaped.
        Span<byte> unescaped = stackalloc byte[MaxCachedBytes];
        var utf8 = reader.ValueIsEscaped ? unescaped[..reader.CopyString(unescaped)] : reader.ValueSpan;
        var slot = (int)(Fnv1a(utf8) % Slots);
        if (Volatile.Read(ref _entries[slot]) is { } entry && entry.Utf8.AsSpan().SequenceEqual(utf8))
        {
            return entry.Value;
        }
        var value = Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref _entries[slot], new Entry(utf8.ToArray(), value));
        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    // FNV-1a: the same value always lands in the same slot, in every process and run.
    private static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return hash;
    }

    private sealed record Entry(byte[] Utf8, string Value);
}

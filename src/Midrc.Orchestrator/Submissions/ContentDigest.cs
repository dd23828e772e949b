namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// The SHA-256 a part of an upload says its bytes have, from its <c>Content-Digest</c> field (RFC 9530:
/// <c>sha-256=:BASE64:</c>). <c>midrc submit</c> sends one with every file of a batch, so the center can tell a file
/// that changed or was damaged on its way from one that arrived whole.
/// </summary>
public static class ContentDigest
{
    public const string Header = "Content-Digest";

    /// <summary>
    /// The SHA-256 the field gives, as lower-case hex; null when it gives none (no field, or other algorithms only).
    /// A malformed field is a 400 naming the file, so the part is refused rather than taken unchecked.
    /// </summary>
    public static string? Sha256(string? field, string name)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return null;
        }
        // A structured-field dictionary: members "key=value;parameters" separated by commas; a bare key is a flag,
        // parameters say nothing here, and of a repeated key the last one counts.
        string? sha256 = null;
        Span<byte> digest = stackalloc byte[32];
        foreach (var member in field.Split(','))
        {
            var equals = member.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || !member[..equals].Trim().Equals("sha-256", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var value = member[(equals + 1)..].Split(';')[0].Trim();
            if (value.Length < 2 || value[0] != ':' || value[^1] != ':' || !Convert.TryFromBase64String(value[1..^1], digest, out var length) || length != digest.Length)
            {
                throw Malformed(field, name);
            }
            sha256 = Convert.ToHexStringLower(digest);
        }
        return sha256;
    }

    private static IntakeException Malformed(string field, string name) =>
        IntakeException.Invalid($"The Content-Digest of '{name}' is not readable ('{(field.Length > 120 ? field[..120] + "…" : field)}'): give it as sha-256=:BASE64 OF THE 32-BYTE SHA-256:, or leave it out.");
}

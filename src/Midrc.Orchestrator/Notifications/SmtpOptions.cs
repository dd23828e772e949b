using MimeKit;

namespace Midrc.Orchestrator.Notifications;

/// <summary>How the connection to the SMTP server is protected.</summary>
public enum SmtpSecurity
{
    /// <summary>TLS on connect for port 465, STARTTLS when the server offers it otherwise.</summary>
    Auto,

    /// <summary>Plain text; only for a relay on the same machine or network.</summary>
    None,

    /// <summary>Plain connect, then STARTTLS, which the server must offer.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,
}

/// <summary>
/// Settings under <c>Midrc:Smtp</c>. With no <see cref="Host"/>, mail is written as <c>.eml</c> files to
/// <c>&lt;DataFolder&gt;/mail-pickup</c> instead of being sent, so the embedded default shows its mail.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Midrc:Smtp";

    /// <summary>The SMTP server's name or address; empty writes mail to the pickup folder.</summary>
    public string Host { get; set; } = "";

    public int Port { get; set; } = 587;

    /// <summary><c>Auto</c>, <c>None</c>, <c>StartTls</c> or <c>SslOnConnect</c>; kept as text so a wrong value gets a plain message.</summary>
    public string Security { get; set; } = nameof(SmtpSecurity.Auto);

    /// <summary>Sign-in name; empty sends without signing in.</summary>
    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    public string FromAddress { get; set; } = "midrc@localhost";

    public string FromName { get; set; } = "MIDRC";

    /// <summary>Attempts before a message is marked failed and shown to program managers.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed attempt; each further failure doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Network timeout of one SMTP command.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages one run of the sender claims at most.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>True when mail goes to the pickup folder instead of a server.</summary>
    public bool UsesPickupFolder => string.IsNullOrWhiteSpace(Host);

    /// <summary>The security mode; validation has already rejected unknown names.</summary>
    public SmtpSecurity ParsedSecurity => Enum.Parse<SmtpSecurity>(Security, ignoreCase: true);

    /// <summary>Every problem with these settings, each naming its key; empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (!Enum.TryParse<SmtpSecurity>(Security, ignoreCase: true, out _) || int.TryParse(Security, out _))
        {
            yield return $"Setting {Section}:Security is '{Security}'; use one of: {string.Join(", ", Enum.GetNames<SmtpSecurity>())}.";
        }
        if (Port is < 1 or > 65535)
        {
            yield return $"Setting {Section}:Port is {Port}; give the SMTP server's port, usually 587 (STARTTLS), 465 (TLS) or 25.";
        }
        if (!UsesPickupFolder && Uri.CheckHostName(Host.Trim()) == UriHostNameType.Unknown)
        {
            yield return $"Setting {Section}:Host is '{Host}', which is not a host name or address; give only the name, e.g. smtp.example.org (no scheme, no port).";
        }
        if (!MailboxAddress.TryParse(FromAddress, out var from) || from.Address != FromAddress.Trim() || !FromAddress.Contains('@', StringComparison.Ordinal))
        {
            yield return $"Setting {Section}:FromAddress is '{FromAddress}', which is not one email address, e.g. midrc@example.org.";
        }
        if (UserName.Length > 0 && Password.Length == 0)
        {
            yield return $"Setting {Section}:Password is empty but {Section}:UserName is set; give both to sign in to the SMTP server, or neither.";
        }
        if (MaxAttempts is < 1 or > 100)
        {
            yield return $"Setting {Section}:MaxAttempts is {MaxAttempts}; it must be between 1 and 100.";
        }
        if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
        {
            yield return $"Settings {Section}:FirstRetryDelay ({FirstRetryDelay}) and {Section}:MaxRetryDelay ({MaxRetryDelay}) must be positive, the first no longer than the second.";
        }
        if (Timeout <= TimeSpan.Zero)
        {
            yield return $"Setting {Section}:Timeout must be positive, e.g. 00:00:30.";
        }
        if (BatchSize is < 1 or > 1000)
        {
            yield return $"Setting {Section}:BatchSize is {BatchSize}; it must be between 1 and 1000.";
        }
    }

    /// <summary>How long to wait before attempt <paramref name="attempts"/> + 1.</summary>
    public TimeSpan RetryDelayAfter(int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * factor));
    }
}

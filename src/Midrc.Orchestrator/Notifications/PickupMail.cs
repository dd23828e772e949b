using MimeKit;

namespace Midrc.Orchestrator.Notifications;

/// <summary>A message written to the pickup folder.</summary>
public sealed record PickupFile(string Name, string Subject, string To, DateTimeOffset? Date, long Size);

/// <summary>One pickup message opened for reading: its headers and both bodies.</summary>
public sealed record PickupMessage(PickupFile File, string From, string TextBody, string HtmlBody);

/// <summary>
/// The <c>.eml</c> files of the pickup folder (the embedded default, with no SMTP server), for the outbox page and API.
/// Only plain file names ending in <c>.eml</c> are opened, so no name reaches outside the folder.
/// </summary>
public sealed class PickupMail(MailDelivery delivery)
{
    /// <summary>True when mail goes to the pickup folder rather than an SMTP server.</summary>
    public bool InUse => delivery.UsesPickupFolder;

    /// <summary>The newest messages first.</summary>
    public IReadOnlyList<PickupFile> List()
    {
        var folder = new DirectoryInfo(delivery.PickupFolder);
        return !InUse || !folder.Exists
            ? []
            : [.. folder.GetFiles("*.eml").OrderByDescending(f => f.Name, StringComparer.Ordinal).Take(OutboxApi.ListLimit).Select(Summary)];
    }

    /// <summary>The full path of a pickup file, or null when the name is not one of the folder's messages.</summary>
    public string? PathOf(string name)
    {
        var path = Path.Combine(delivery.PickupFolder, name);
        return InUse && Path.GetFileName(name) == name && name.EndsWith(".eml", StringComparison.Ordinal) && File.Exists(path) ? path : null;
    }

    /// <summary>The message with this file name, or null.</summary>
    public PickupMessage? Open(string name)
    {
        if (PathOf(name) is not { } path)
        {
            return null;
        }
        var file = new FileInfo(path);
        using var message = MimeMessage.Load(file.FullName);
        return new PickupMessage(Describe(file, message), message.From.ToString(), message.TextBody ?? "", message.HtmlBody ?? "");
    }

    private static PickupFile Summary(FileInfo file)
    {
        using var message = MimeMessage.Load(file.FullName);
        return Describe(file, message);
    }

    private static PickupFile Describe(FileInfo file, MimeMessage message) =>
        new(file.Name, message.Subject ?? "", message.To.ToString(), message.Date == DateTimeOffset.MinValue ? null : message.Date, file.Length);
}

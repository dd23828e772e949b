using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// Turns an outbox row into MIME. Names and subjects go through MimeKit's header encoders, so a CR, LF,
/// comma or quote in a site's or person's name stays inside its header and never starts a new one.
/// </summary>
public static partial class EmailMessages
{
    /// <summary>The header carrying the outbox message's id, for support and for tests.</summary>
    public const string IdHeader = "X-Midrc-Message";

    /// <summary>The MIME message: multipart/alternative (text, then HTML), a Message-Id stable per idempotency key.</summary>
    public static MimeMessage Build(OutboxMessage message, SmtpOptions options)
    {
        var from = new MailboxAddress(OneLine(options.FromName), options.FromAddress);
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Date = message.CreatedAt,
            MessageId = MessageId(message.IdempotencyKey, from.Domain),
            Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody(),
        };
        mime.From.Add(from);
        mime.To.Add(new MailboxAddress(OneLine(message.ToName), Recipient(message.ToAddress)));
        mime.Headers.Add(IdHeader, message.Id.ToString());
        return mime;
    }

    /// <summary>A display name on one line; MimeKit would keep a line break encoded inside the header, but no mail program shows one.</summary>
    public static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    /// <summary>The Message-Id of every attempt of one message: a receiver that got it twice (a crash between sending and recording) can tell.</summary>
    public static string MessageId(string idempotencyKey, string domain) =>
        $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..40]}@{(domain.Length > 0 ? domain : "midrc.invalid")}";

    /// <summary>The file name of the message in the pickup folder: in creation order, one per message.</summary>
    public static string PickupFileName(OutboxMessage message) => $"{message.CreatedAt.UtcDateTime:yyyyMMdd-HHmmss}-{message.Id:N}.eml";

    /// <summary>Checks that the address is exactly one plain address; anything else is refused before it reaches a header.</summary>
    public static string Recipient(string address)
    {
        if (MailboxAddress.TryParse(ParserOptions.Default, address, out var parsed) && parsed.Address == address && address.Contains('@', StringComparison.Ordinal)
            && !address.Any(char.IsControl))
        {
            return parsed.Address;
        }
        throw new FormatException($"'{address}' is not one email address; correct the person's email and resend.");
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

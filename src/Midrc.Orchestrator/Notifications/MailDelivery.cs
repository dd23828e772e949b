using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Midrc.Orchestrator.Hosting;

namespace Midrc.Orchestrator.Notifications;

/// <summary>Creates the SMTP client the sender talks through: the seam tests and other transports plug into.</summary>
public interface ISmtpClientFactory
{
    ISmtpClient Create();
}

/// <summary>MailKit's own client.</summary>
public sealed class MailKitSmtpClientFactory : ISmtpClientFactory
{
    public ISmtpClient Create() => new SmtpClient();
}

/// <summary>Why a message did not go out: the server's reason, and whether trying again can help.</summary>
public sealed record DeliveryFailure(string Reason, bool Permanent);

/// <summary>
/// Where mail goes: the SMTP server of <c>Midrc:Smtp</c>, or the pickup folder when no host is set. One
/// <see cref="Open"/> is one SMTP session for a batch, connected on the first message.
/// </summary>
public sealed class MailDelivery(IOptions<SmtpOptions> smtp, IOptions<MidrcOptions> midrc, ISmtpClientFactory clients, ILogger<MailDelivery> log)
{
    /// <summary>Where .eml files are written when no SMTP host is set.</summary>
    public string PickupFolder => Path.Combine(midrc.Value.DataFolderPath, "mail-pickup");

    public bool UsesPickupFolder => smtp.Value.UsesPickupFolder;

    public Session Open() => new(this);

    /// <summary>One batch's connection. Once the server cannot be reached, the rest of the batch fails with the same reason without waiting again.</summary>
    public sealed class Session(MailDelivery delivery) : IAsyncDisposable
    {
        private ISmtpClient? client;
        private DeliveryFailure? broken;

        /// <summary>Delivers one message; null when it went out.</summary>
        public async Task<DeliveryFailure?> DeliverAsync(MimeMessage message, string fileName, CancellationToken cancellationToken)
        {
            if (delivery.UsesPickupFolder)
            {
                await delivery.WritePickupFileAsync(message, fileName, cancellationToken);
                return null;
            }
            if (broken is not null)
            {
                return broken;
            }

            try
            {
                client ??= await delivery.ConnectAsync(cancellationToken);
                await client.SendAsync(message, cancellationToken);
                return null;
            }
            catch (SmtpCommandException e)
            {
                // The server answered this message (e.g. 550 on RCPT); the session stays usable.
                var permanent = (int)e.StatusCode >= 500 && e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.MessageNotAccepted;
                return new DeliveryFailure($"{(int)e.StatusCode} {e.Message}".Trim(), permanent);
            }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or AuthenticationException or SslHandshakeException or ServiceNotConnectedException or TimeoutException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                broken = new DeliveryFailure(delivery.Describe(e), Permanent: false);
                await DisposeAsync();
                return broken;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (client is null)
            {
                return;
            }
            var closing = client;
            client = null;
            try
            {
                if (closing.IsConnected)
                {
                    await closing.DisconnectAsync(quit: true);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or TimeoutException)
            {
                delivery.LogUncleanClose(e);
            }
            finally
            {
                closing.Dispose();
            }
        }
    }

    private async Task<ISmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var o = smtp.Value;
        var client = clients.Create();
        client.Timeout = (int)o.Timeout.TotalMilliseconds;
        var security = o.ParsedSecurity switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        };
        try
        {
            await client.ConnectAsync(o.Host.Trim(), o.Port, security, cancellationToken);
            if (o.UserName.Length > 0)
            {
                await client.AuthenticateAsync(o.UserName, o.Password, cancellationToken);
            }
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private void LogUncleanClose(Exception e) =>
        log.LogDebug(e, "The SMTP connection closed uncleanly; its messages were already delivered or recorded.");

    private string Describe(Exception e)
    {
        var o = smtp.Value;
        var what = e switch
        {
            AuthenticationException => $"The SMTP server refused to sign in {o.UserName}",
            SocketException or IOException => $"Cannot reach the SMTP server {o.Host}:{o.Port}",
            _ => $"The SMTP session with {o.Host}:{o.Port} failed",
        };
        return $"{what}: {e.Message.TrimEnd('.')}.";
    }

    private async Task WritePickupFileAsync(MimeMessage message, string fileName, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(PickupFolder);
        var path = Path.Combine(PickupFolder, fileName);
        var partial = path + ".partial";
        // Written aside and moved into place: a reader never sees half a file, and a second run replaces the first.
        await using (var stream = File.Create(partial))
        {
            await message.WriteToAsync(FormatOptions.Default, stream, cancellationToken);
        }
        File.Move(partial, path, overwrite: true);
    }
}

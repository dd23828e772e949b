using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Midrc.Orchestrator.Tests.Notifications;

/// <summary>A real SMTP server on 127.0.0.1 (the SmtpServer library), keeping what it receives; it can refuse recipients and be stopped and started on the same port.</summary>
public sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedMail> received = new();
    private readonly ConcurrentDictionary<string, string> rejected = new(StringComparer.OrdinalIgnoreCase);
    private CancellationTokenSource? running;
    private Task? serving;

    private LoopbackSmtpServer(int port) => Port = port;

    public int Port { get; }

    public IReadOnlyList<ReceivedMail> Received => [.. received];

    /// <summary>A port nothing listens on, for a server that is down.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task<LoopbackSmtpServer> StartAsync(int? port = null)
    {
        var server = new LoopbackSmtpServer(port ?? FreePort());
        await server.StartAsync();
        return server;
    }

    /// <summary>Not started: nothing answers on <see cref="Port"/> until <see cref="StartAsync()"/>.</summary>
    public static LoopbackSmtpServer Down() => new(FreePort());

    /// <summary>Answers RCPT TO for this address with 550 and <paramref name="reason"/>.</summary>
    public void Reject(string address, string reason) => rejected[address] = reason;

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("loopback.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(received));
        services.Add(new Filter(rejected));
        running = new CancellationTokenSource();
        serving = new SmtpServer.SmtpServer(options, services).StartAsync(running.Token);
        await WaitUntilListeningAsync();
    }

    public async Task StopAsync()
    {
        if (running is null || serving is null)
        {
            return;
        }
        await running.CancelAsync();
        await serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        running.Dispose();
        running = null;
        serving = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task WaitUntilListeningAsync()
    {
        for (var tries = 0; ; tries++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (tries < 100)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>One message as the server got it: the envelope, the raw bytes and the parsed MIME.</summary>
    public sealed record ReceivedMail(string EnvelopeFrom, IReadOnlyList<string> EnvelopeTo, string Raw, MimeMessage Message)
    {
        public string Text => Message.TextBody ?? "";

        public string Html => Message.HtmlBody ?? "";
    }

    private sealed class Store(ConcurrentQueue<ReceivedMail> received) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var bytes = buffer.ToArray();
            using var stream = new MemoryStream(bytes);
            var message = MimeMessage.Load(stream, cancellationToken);
            received.Enqueue(new ReceivedMail(
                transaction.From.AsAddress(),
                [.. transaction.To.Select(t => t.AsAddress())],
                System.Text.Encoding.UTF8.GetString(bytes),
                message));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }

    private sealed class Filter(ConcurrentDictionary<string, string> rejected) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            rejected.TryGetValue(to.AsAddress(), out var reason)
                ? throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxUnavailable, reason))
                : Task.FromResult(true);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Submissions;
using Shouldly;

namespace Midrc.Orchestrator.Tests.Auth;

/// <summary>The rate limits on the token channels: an address presenting unknown tokens is shut out, and one token cannot flood the server.</summary>
public sealed class ApiTokenThrottleTests : IAsyncLifetime
{
    private IntakeHost _host = null!;

    public async Task InitializeAsync() => _host = await IntakeHost.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Midrc:ApiTokens:FailuresPerAddress"] = "3",
        ["Midrc:ApiTokens:RequestsPerSecond"] = "1",
        ["Midrc:ApiTokens:Burst"] = "3",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_address_that_keeps_presenting_unknown_tokens_is_shut_out_even_with_a_good_one_and_told_for_how_long()
    {
        using var wrong = _host.Client("midrc_uch_guessed-token");
        for (var i = 0; i < 3; i++)
        {
            using var refused = await wrong.GetAsync($"/api/submissions/{Guid.NewGuid()}");
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var good = _host.Client(_host.UchToken);
        using var shutOut = await good.PostAsJsonAsync("/api/submissions", new { });

        shutOut.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        shutOut.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.FromMinutes(10));
        (await DetailAsync(shutOut)).ShouldContain("unrecognised or revoked API tokens came from this address");
        (await _host.CountAsync<Submission>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_token_past_its_rate_gets_429_with_retry_after_and_other_tokens_are_not_slowed()
    {
        using var uch = _host.Client(_host.UchToken);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? throttled = null;
        // Three at once are allowed, then one a second: eight quick requests cannot all pass.
        for (var i = 0; i < 8 && throttled is null; i++)
        {
            var response = await uch.GetAsync($"/api/submissions/{Guid.NewGuid()}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throttled = response;
            }
            else
            {
                response.Dispose();
            }
        }

        statuses.Take(3).ShouldAllBe(s => s == HttpStatusCode.NotFound);
        throttled.ShouldNotBeNull();
        throttled.Headers.RetryAfter!.Delta!.Value.ShouldBeInRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        (await DetailAsync(throttled)).ShouldContain("nothing was lost");
        throttled.Dispose();

        using var muc = _host.Client(_host.MucToken);
        using var other = await muc.GetAsync($"/api/submissions/{Guid.NewGuid()}");
        other.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_client_address_is_limited_on_its_own_and_other_senders_forwarded_headers_are_ignored()
    {
        await using var host = await IntakeHost.StartAsync(kestrel: true, settings: new Dictionary<string, string?>
        {
            ["Midrc:ApiTokens:FailuresPerAddress"] = "2",
            ["Midrc:TrustedProxies:0"] = "127.0.0.0/8",
        });
        using var misconfigured = host.Client("midrc_uch_revoked-long-ago");
        misconfigured.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        for (var i = 0; i < 3; i++)
        {
            using var response = await misconfigured.GetAsync($"/api/submissions/{Guid.NewGuid()}");
            response.StatusCode.ShouldBe(i < 2 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests);
        }

        // Another site behind the same load balancer is not shut out with the misconfigured gateway.
        using var other = host.Client(host.MucToken);
        other.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.9");
        using var fine = await other.PostAsJsonAsync("/api/submissions", new { });
        fine.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Forwarded_addresses_are_not_believed_from_a_sender_that_is_not_a_trusted_proxy()
    {
        using var wrong = _host.Client("midrc_uch_guessed-token");
        for (var i = 0; i < 3; i++)
        {
            wrong.DefaultRequestHeaders.Remove("X-Forwarded-For");
            wrong.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            using var refused = await wrong.GetAsync($"/api/submissions/{Guid.NewGuid()}");
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var fourth = await wrong.GetAsync($"/api/submissions/{Guid.NewGuid()}");
        fourth.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "a client cannot dodge the limit by making up X-Forwarded-For");
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
}

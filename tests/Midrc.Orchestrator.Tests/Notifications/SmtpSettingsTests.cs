using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Notifications;

public sealed class SmtpSettingsTests
{
    [Theory]
    [InlineData("Midrc__Smtp__Security", "Sometimes", "Setting Midrc:Smtp:Security is 'Sometimes'; use one of: Auto, None, StartTls, SslOnConnect.")]
    [InlineData("Midrc__Smtp__FromAddress", "midrc at example", "Setting Midrc:Smtp:FromAddress is 'midrc at example', which is not one email address")]
    [InlineData("Midrc__Smtp__Host", "smtp://mail.example.org:25", "Setting Midrc:Smtp:Host is 'smtp://mail.example.org:25', which is not a host name or address")]
    [InlineData("Midrc__Smtp__UserName", "midrc", "Setting Midrc:Smtp:Password is empty but Midrc:Smtp:UserName is set")]
    public async Task A_wrong_smtp_setting_stops_start_up_with_a_message_naming_the_key(string key, string value, string expected)
    {
        using var folder = new TempFolder();

        var outcome = await HostProcess.RunUntilExitAsync(folder.Path, new Dictionary<string, string> { [key] = value }, TimeSpan.FromSeconds(60), "--urls", "http://127.0.0.1:0");

        outcome.ExitCode.ShouldBe(2, outcome.Output + outcome.Error);
        outcome.Error.ShouldContain(expected);
        outcome.Error.ShouldNotContain("   at ", customMessage: "no stack trace");
    }
}

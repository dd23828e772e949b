using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Cli.Operations;

/// <summary><c>midrc sites list</c> and <c>midrc tokens create</c>: operator commands on the orchestrator's database.</summary>
internal static class OperatorCommands
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Sites()
    {
        var format = new Option<string>("--format") { Description = "text (default) or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var list = new Command("list", "List every site with its code, name and stage.") { format };
        list.SetAction((parse, ct) => OperatorHost.RunAsync(parse.InvocationConfiguration.Error, async (services, token) =>
        {
            var sites = await services.GetRequiredService<MidrcDbContext>().ListSitesAsync(token);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(sites, Json));
                return 0;
            }
            if (sites.Count == 0)
            {
                await output.WriteLineAsync("No sites yet. Start the orchestrator with ./run.sh to seed the demo program, or invite a site from the dashboard.");
                return 0;
            }
            var codeWidth = Math.Max(4, sites.Max(s => s.Code.Length));
            var nameWidth = Math.Max(4, sites.Max(s => s.Name.Length));
            await output.WriteLineAsync($"{"CODE".PadRight(codeWidth)}  {"NAME".PadRight(nameWidth)}  STAGE");
            foreach (var s in sites)
            {
                await output.WriteLineAsync($"{s.Code.PadRight(codeWidth)}  {s.Name.PadRight(nameWidth)}  {s.Stage}");
            }
            return 0;
        }, ct));
        return new Command("sites", "Sites of the program.") { list };
    }

    public static Command Tokens()
    {
        var site = new Option<string>("--site") { Description = "the site's code, as `midrc sites list` shows it", Required = true };
        var name = new Option<string>("--name") { Description = "what the token is for, e.g. \"PACS gateway\"", DefaultValueFactory = _ => "issued by an operator" };
        var create = new Command("create", "Create an API token for a site (for midrc submit and STOW-RS). The token is printed once, alone on the last line; only its hash is stored.") { site, name };
        create.SetAction((parse, ct) => OperatorHost.RunAsync(parse.InvocationConfiguration.Error, async (services, token) =>
        {
            var tokens = services.GetRequiredService<ApiTokens>();
            try
            {
                var issued = await tokens.CreateAsync(parse.GetRequiredValue(site), parse.GetRequiredValue(name), $"operator:{Environment.UserName}", token);
                var output = parse.InvocationConfiguration.Output;
                await output.WriteLineAsync($"Created token '{issued.Name}' for site {issued.SiteCode} (starts with {issued.Prefix}). It is shown only this once; store it in the site's gateway or midrc configuration now:");
                await output.WriteLineAsync(issued.Token);
                return 0;
            }
            catch (KeyNotFoundException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"midrc: {e.Message}");
                return 2;
            }
        }, ct));
        return new Command("tokens", "API tokens of sites.") { create };
    }
}

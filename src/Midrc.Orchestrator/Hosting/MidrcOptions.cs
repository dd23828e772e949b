namespace Midrc.Orchestrator.Hosting;

/// <summary>Settings under <c>Midrc</c> that the whole host shares.</summary>
public sealed class MidrcOptions
{
    public const string Section = "Midrc";

    /// <summary>Where the embedded database, the quarantine store and the mail pickup folder live; relative to the working directory.</summary>
    public string DataFolder { get; set; } = "data";

    /// <summary>The address people reach the orchestrator at; links in emails start with it.</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>
    /// The load balancers or reverse proxies in front of this node, as addresses (<c>10.0.0.5</c>) or networks
    /// (<c>10.0.0.0/24</c>). Only their <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed, so the rate
    /// limits and the audit log see each client's own address; with none listed, no forwarded header is believed.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>True when people reach the orchestrator over HTTPS.</summary>
    public bool IsPublicHttps => PublicUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Seed the demo program into an empty database at start-up.</summary>
    public bool SeedDemo { get; set; }

    /// <summary>The data folder as an absolute path.</summary>
    public string DataFolderPath => Path.GetFullPath(DataFolder);
}

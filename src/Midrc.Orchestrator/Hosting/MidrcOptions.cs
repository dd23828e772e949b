namespace Midrc.Orchestrator.Hosting;

/// <summary>Settings under <c>Midrc</c> that the whole host shares.</summary>
public sealed class MidrcOptions
{
    public const string Section = "Midrc";

    /// <summary>Where the embedded database, the quarantine store and the mail pickup folder live; relative to the working directory.</summary>
    public string DataFolder { get; set; } = "data";

    /// <summary>The address people reach the orchestrator at; links in emails start with it.</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Seed the demo program into an empty database at start-up.</summary>
    public bool SeedDemo { get; set; }

    /// <summary>The data folder as an absolute path.</summary>
    public string DataFolderPath => Path.GetFullPath(DataFolder);
}

namespace Midrc.Orchestrator.Storage;

public static class StorageExtensions
{
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IQuarantineStore, FileQuarantineStore>();
        return builder;
    }
}

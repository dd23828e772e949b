using System.Diagnostics;
using System.Text;

namespace Midrc.Orchestrator.Tests.Infrastructure;

/// <summary>
/// The orchestrator or the <c>midrc</c> CLI as an operator runs them: their own process, in a working
/// directory of the test's, settings from environment variables.
/// </summary>
public static class HostProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Error);

    /// <summary>Starts the orchestrator and waits for it to exit (it is killed after <paramref name="timeout"/>).</summary>
    public static Task<Outcome> RunUntilExitAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args) =>
        RunAsync("Midrc.Orchestrator.dll", workingDirectory, environment, timeout, args);

    /// <summary>Runs an assembly of the test output folder with <c>dotnet</c> and waits for it to exit.</summary>
    public static async Task<Outcome> RunAsync(string assembly, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        await using var running = Start(assembly, workingDirectory, environment, args);
        return await running.WaitForExitAsync(timeout);
    }

    /// <summary>Starts the orchestrator and returns at once: the test waits for what it needs, then kills it (or it exits by itself).</summary>
    public static RunningProcess StartOrchestrator(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start("Midrc.Orchestrator.dll", workingDirectory, environment, args);

    /// <summary>Runs a native executable (a published <c>midrc</c>) and waits for it to exit.</summary>
    public static async Task<Outcome> RunExecutableAsync(string executable, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        await using var running = Start(executable, [], workingDirectory, new Dictionary<string, string>(), args);
        return await running.WaitForExitAsync(timeout);
    }

    /// <summary>Starts an assembly of the test output folder with <c>dotnet</c> and returns at once.</summary>
    public static RunningProcess Start(string assembly, string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] args) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, assembly)], workingDirectory, environment, args);

    private static RunningProcess Start(string fileName, string[] leading, string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])[.. leading, .. args])
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return new RunningProcess(Path.GetFileName(leading.FirstOrDefault() ?? fileName), Process.Start(start)!);
    }

    /// <summary>A started process whose output is collected as it comes; disposing it kills it when it still runs.</summary>
    public sealed class RunningProcess : IAsyncDisposable
    {
        private readonly string _name;
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _error = new();

        internal RunningProcess(string name, Process process)
        {
            _name = name;
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(_output, e.Data);
            _process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public bool HasExited => _process.HasExited;

        /// <summary>What the process printed so far, both streams.</summary>
        public string Printed
        {
            get
            {
                lock (_output)
                {
                    return $"{_output}{Environment.NewLine}{_error}";
                }
            }
        }

        /// <summary>Waits until the process exits; kills it and throws after <paramref name="timeout"/>.</summary>
        public async Task<Outcome> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                throw new TimeoutException($"{_name} did not exit within {timeout}: {Printed}");
            }

            // The parameterless wait also waits for the redirected streams to be read to their end.
            await _process.WaitForExitAsync(CancellationToken.None);
            lock (_output)
            {
                return new Outcome(_process.ExitCode, _output.ToString(), _error.ToString());
            }
        }

        /// <summary>Polls <paramref name="condition"/> until it holds; throws when the process exits first or after <paramref name="timeout"/>.</summary>
        public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
        {
            var waited = Stopwatch.StartNew();
            while (!await condition())
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"{_name} exited with code {_process.ExitCode} before {what}: {Printed}");
                }

                if (waited.Elapsed > timeout)
                {
                    throw new TimeoutException($"{_name} did not get to {what} within {timeout}: {Printed}");
                }

                await Task.Delay(200);
            }
        }

        /// <summary>Kills the process (and its worker processes) at once, as a power cut would.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
            _process.Dispose();
        }

        private void Append(StringBuilder target, string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    target.AppendLine(line);
                }
            }
        }
    }
}

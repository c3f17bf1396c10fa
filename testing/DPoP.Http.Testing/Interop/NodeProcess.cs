using System.Diagnostics;
using System.Text.Json;

namespace DPoP.Http.Testing;

/// <summary>
/// A child process (node server or npm) whose stdout and stderr go line by line into a <see cref="ServerLog"/>.
/// A server announces itself with one JSON line <c>{"ready":true,…}</c> on stdout. Disposal closes its stdin (the
/// scripts exit on that) and kills the whole process tree if it is still running.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly ServerLog _log;
    private readonly TaskCompletionSource<JsonElement> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(string name, ProcessStartInfo startInfo, ServerLog log)
    {
        _name = name;
        _log = log;
        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, isError: false);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, isError: true);
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"{_name} exited before it was ready."));
    }

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static NodeProcess Start(
        string name, string fileName, IEnumerable<string> arguments, string workingDirectory, ServerLog log, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Quiet, reproducible npm; no colour codes in the captured log.
        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["npm_config_update_notifier"] = "false";
        startInfo.Environment["npm_config_fund"] = "false";
        startInfo.Environment["npm_config_audit"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new NodeProcess(name, startInfo, log);
        log.Add(name, $"$ {fileName} {string.Join(' ', startInfo.ArgumentList)}  (in {workingDirectory})");
        process._process.Start();
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits for the server's ready line and returns it.</summary>
    /// <exception cref="TimeoutException">No ready line within <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The process exited first.</exception>
    public async Task<JsonElement> WaitForReadyAsync(TimeSpan timeout)
    {
        try
        {
            return await _ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{_name} did not print its ready line within {timeout.TotalSeconds:0} s.", ex);
        }
    }

    /// <summary>Waits for the process to exit (and its output to be read) and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It still runs after <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"{_name} did not finish within {timeout.TotalSeconds:0} s.", ex);
        }

        return _process.ExitCode;
    }

    /// <summary>Stops the process and its children.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // The scripts exit cleanly when stdin closes; the kill is for anything that does not.
                _process.StandardInput.Close();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(3)))
                {
                    _log.Add(_name, "did not exit after stdin closed; killing the process tree");
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
        catch (IOException)
        {
            // stdin already broken: the process is on its way out; make sure.
            KillQuietly();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void KillQuietly()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void OnLine(string? line, bool isError)
    {
        if (line is null)
        {
            (isError ? _errorClosed : _outputClosed).TrySetResult();
            return;
        }

        if (!isError && line.StartsWith('{') && !_ready.Task.IsCompleted)
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.TryGetProperty("ready", out var ready) && ready.ValueKind == JsonValueKind.True)
                {
                    // The ready line carries this run's client secrets and keys: logged by its address only.
                    var root = document.RootElement;
                    var address = root.TryGetProperty("url", out var url) ? url : root.TryGetProperty("issuer", out var issuer) ? issuer : default;
                    _log.Add(_name, $"ready at {address}");
                    _ready.TrySetResult(root.Clone());
                    return;
                }
            }
            catch (JsonException)
            {
                // Not the ready line.
            }
        }

        _log.Add(isError ? $"{_name}!" : _name, line);
    }
}

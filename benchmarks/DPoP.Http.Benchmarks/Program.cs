using BenchmarkDotNet.Running;

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

// BenchmarkDotNet reports a benchmark that threw (a setup's proof check included) and carries on with exit code 0;
// CI runs one case in the Dry job, so a failure, or a filter that matches nothing, must fail the command.
var ran = 0;
foreach (var summary in summaries)
{
    if (summary.HasCriticalValidationErrors)
    {
        return 1;
    }

    foreach (var report in summary.Reports)
    {
        if (!report.Success || report.ExecuteResults.Any(result => !result.IsSuccess))
        {
            return 1;
        }

        ran++;
    }
}

var filtered = args.Any(arg => arg is "--filter" or "-f" or "--allCategories" or "--anyCategories");
return filtered && ran == 0 ? 1 : 0;

using System.CommandLine;

var root = new RootCommand("midrc: check DICOM before sending, submit to the orchestrator, validate workflows, operate a deployment.");
return await root.Parse(args).InvokeAsync();

import ArgumentParser
import Reports

extension ReportFormat: ExpressibleByArgument {}

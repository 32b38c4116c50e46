pub fn parse(){}
